/** npm run recommend -- --profile NAME [--k 20] [--explain] [--json] */
import { openLibrary } from '../src/main/db';
import { initBackend } from '../src/main/recommender/backend';
import { Recommender } from '../src/main/recommender/inference/recommender';
import { servingModelDir } from '../src/main/services/model-service';
import { formatRecommendations } from '../src/main/services/report-format';
import { main, parse, setup } from './lib/cli';

const USAGE = `Usage: npm run recommend -- --profile NAME [--k 20] [--explain] [--json]
        [--genre NAME …] [--year-from Y] [--year-to Y] [--discovery -1..1] [--include-played] [--db FILE]`;

void main(async () => {
  const v = parse(
    {
      profile: { type: 'string' },
      k: { type: 'string' },
      explain: { type: 'boolean', default: false },
      genre: { type: 'string', multiple: true },
      'year-from': { type: 'string' },
      'year-to': { type: 'string' },
      discovery: { type: 'string' },
      'include-played': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const ctx = setup(v);
  if (!v.profile) throw new Error(`--profile NAME is required\n\n${USAGE}`);
  const lib = openLibrary(ctx.dbPath);
  try {
    const profile = lib.sqlite.prepare('SELECT id, name FROM profiles WHERE name = ?').get(v.profile) as { id: number; name: string } | undefined;
    if (!profile) {
      const names = lib.sqlite.prepare('SELECT name FROM profiles ORDER BY name LIMIT 10').pluck().all() as string[];
      throw new Error(`no profile named "${v.profile}"${names.length ? ` (profiles: ${names.join(', ')}${names.length === 10 ? ', …' : ''})` : ''}`);
    }
    const dir = servingModelDir(lib);
    if (!dir) throw new Error('no trained model yet: run `npm run train` first');
    await initBackend(ctx.loaded.config.training.backend);
    const rec = Recommender.open(lib, dir);
    const cfg = ctx.loaded.config.recommend;
    const recs = rec.recommend(profile.id, {
      k: v.k ? Number(v.k) : cfg.k,
      explain: v.explain || v.json,
      excludePlayed: v['include-played'] ? false : cfg.exclude_played,
      genres: v.genre,
      yearFrom: v['year-from'] ? Number(v['year-from']) : undefined,
      yearTo: v['year-to'] ? Number(v['year-to']) : undefined,
      maxPerArtist: cfg.max_per_artist,
      diversity: cfg.diversity,
      discovery: v.discovery ? Number(v.discovery) : 0,
    });
    rec.dispose();
    process.stdout.write(`Recommendations for ${profile.name}:\n${formatRecommendations(recs.map((r) => (v.explain ? r : { ...r, explanation: undefined })))}\n`);
    if (v.json) process.stdout.write(JSON.stringify({ profile: profile.name, model: dir, recommendations: recs }) + '\n');
  } finally {
    lib.close();
  }
});
