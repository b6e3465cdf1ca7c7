/** npm run recommend -- --profile NAME [--favourite ARTIST …] [--k 20] [--explain] [--json] */
import { openLibrary, profiles } from '../src/main/db';
import { initBackend } from '../src/main/recommender/backend';
import { Recommender } from '../src/main/recommender/inference/recommender';
import { servingModelDir } from '../src/main/services/model-service';
import { formatRecommendations } from '../src/main/services/report-format';
import { coldStartList, setFavourites } from '../src/main/services/cold-start';
import { main, parse, setup } from './lib/cli';

const USAGE = `Usage: npm run recommend -- --profile NAME [--k 20] [--explain] [--json]
        [--genre NAME …] [--year-from Y] [--year-to Y] [--discovery -1..1] [--include-played] [--db FILE]
        [--favourite ARTIST …]   artists you like (a new profile with no listening starts from them)`;

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
      favourite: { type: 'string', multiple: true },
    },
    USAGE,
  );
  const ctx = setup(v);
  if (!v.profile) throw new Error(`--profile NAME is required\n\n${USAGE}`);
  const lib = openLibrary(ctx.dbPath);
  try {
    if (v.favourite?.length) {
      const f = setFavourites(lib, { name: v.profile }, v.favourite);
      process.stdout.write(`favourite artists: ${f.matched.join(', ') || 'none found'}${f.unknown.length ? ` (not in the library: ${f.unknown.join(', ')})` : ''}\n`);
    }
    const id = profiles.profileIdByName(lib.sqlite, v.profile);
    const profile = id === undefined ? undefined : profiles.profileById(lib.sqlite, id);
    if (!profile) {
      const names = profiles.someProfileNames(lib.sqlite, 10);
      throw new Error(`no profile named "${v.profile}"${names.length ? ` (profiles: ${names.join(', ')}${names.length === 10 ? ', …' : ''})` : ''}`);
    }
    const dir = servingModelDir(lib);
    if (!dir) {
      // No model yet: a list at once from the person's artists and the community's co-listening.
      const recs = coldStartList(lib, profile.id, v.k ? Number(v.k) : ctx.loaded.config.recommend.k);
      process.stdout.write(`Recommendations for ${profile.name} (no model trained yet — from your artists and the community's co-listening):\n${formatRecommendations(recs)}\n`);
      if (v.json) process.stdout.write(JSON.stringify({ profile: profile.name, model: null, recommendations: recs }) + '\n');
      return;
    }
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
