// @vitest-environment jsdom
/**
 * The renderer's pages against a faked main process: what a person sees and can do, by role and
 * name as a screen reader would find it — the list's keyboard use, the explanation, feedback,
 * the theme, the generated training form, the evaluation table, the profile.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ImportReport, Recommendation } from '../../src/shared/types';
import { Value } from '@sinclair/typebox/value';
import { APP_CONFIG_SCHEMA } from '../../src/shared/config-schema';
import { answers, calls, fakeApiModule, reset } from './fake-api';

vi.mock('../../src/renderer/src/api', () => fakeApiModule);

const { RecommendationsPage } = await import('../../src/renderer/src/pages/RecommendationsPage');
const { SettingsPage } = await import('../../src/renderer/src/pages/SettingsPage');
const { TrainingPage } = await import('../../src/renderer/src/pages/TrainingPage');
const { EvaluationPage } = await import('../../src/renderer/src/pages/EvaluationPage');
const { ProfilePage } = await import('../../src/renderer/src/pages/ProfilePage');
const { ImportSummary } = await import('../../src/renderer/src/pages/ImportPage');

const rec = (i: number, title: string, artist: string): Recommendation => ({
  rank: i + 1, trackId: 100 + i, spotifyId: `x${i}`.padEnd(22, 'x'), title, artist, artistId: 10 + i, genre: 'r&b', year: 2016, durationMs: 200000,
  score: 0.9 - i * 0.05, knownArtist: i % 2 === 0,
  explanation: { summary: `Why ${title}`, factors: [{ kind: 'audio', label: 'energy', text: 'Energy close to yours', contribution: 0.4, share: 0.5, trackValue: 0.4, userValue: 0.45 }], becauseArtists: [{ artist, plays: 12 }] },
} as unknown as Recommendation);

beforeEach(() => {
  reset();
  // jsdom has no layout: the list's rows are placed by style, which is all the window needs.
  window.matchMedia ??= ((q: string) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} })) as unknown as typeof window.matchMedia;
});
afterEach(cleanup);

describe('Recommendations page', () => {
  const list = [rec(0, 'Thinkin Bout You', 'Frank Ocean'), rec(1, 'Get You', 'Daniel Caesar'), rec(2, 'Loving Is Easy', 'Rex Orange County')];

  it('announces each row with its position, moves with the arrows, explains on Enter and likes with L', async () => {
    let version = 0;
    answers['recommend:list'] = () => (version ? [list[1], list[0], list[2]] : list);
    answers['recommend:feedback'] = () => {
      version++;
      return { ok: true };
    };
    const user = userEvent.setup();
    render(<RecommendationsPage profileId={1} genres={['r&b']} onNeedTraining={() => {}} />);
    const rowsOf = () => within(screen.getByRole('list', { name: 'Recommendations' })).getAllByRole('listitem');
    await screen.findByRole('list', { name: 'Recommendations' });
    const rows = rowsOf();
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r.getAttribute('aria-posinset'), r.getAttribute('aria-setsize')])).toEqual([['1', '3'], ['2', '3'], ['3', '3']]);
    // One tab stop for the list; the arrows move the focus between rows.
    const first = within(rows[0]).getByRole('button', { name: /^1\. Thinkin Bout You by Frank Ocean/ });
    expect(first.tabIndex).toBe(0);
    expect(within(rows[1]).getByRole('button', { name: /^2\. Get You/ }).tabIndex).toBe(-1);
    first.focus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement).toBe(within(rows[2]).getByRole('button', { name: /^3\. Loving Is Easy/ }));
    await user.keyboard('{ArrowUp}');
    expect(document.activeElement?.getAttribute('aria-label')).toMatch(/^2\. Get You/);
    await user.keyboard('{Enter}');
    expect(within(screen.getByTestId('explanation')).getByRole('heading', { name: 'Get You' })).toBeTruthy();
    await user.keyboard('l');
    await waitFor(() => expect(calls.find((c) => c.channel === 'recommend:feedback')?.req).toEqual({ profileId: 1, kind: 'like', trackId: 101, artistId: undefined }));
    expect(await screen.findByText('Liked Get You; the list was updated.')).toBeTruthy();
    // The list was asked again after the feedback and shows the new order.
    await waitFor(() => expect(rowsOf()[0].textContent).toContain('Get You'));
  });

  it('keeps Enter on a row’s own buttons: Enter on “Not for me” dislikes, it does not just explain', async () => {
    answers['recommend:list'] = () => list;
    answers['recommend:feedback'] = () => ({ ok: true });
    const user = userEvent.setup();
    render(<RecommendationsPage profileId={1} genres={[]} onNeedTraining={() => {}} />);
    await screen.findByRole('list', { name: 'Recommendations' });
    screen.getByRole('button', { name: 'Dislike Thinkin Bout You' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(calls.some((c) => c.channel === 'recommend:feedback' && (c.req as { kind: string }).kind === 'dislike')).toBe(true));
  });

  it('offers the way to training when there is no model yet', async () => {
    answers['recommend:list'] = () => {
      throw new Error('no trained model yet');
    };
    const go = vi.fn();
    render(<RecommendationsPage profileId={1} genres={[]} onNeedTraining={go} />);
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Go to Training' }));
    expect(go).toHaveBeenCalledOnce();
  });
});

describe('Settings page', () => {
  it('switches to the dark theme and back to the system’s', async () => {
    const user = userEvent.setup();
    render(<SettingsPage info={{ version: '0.1.0', dataDir: '/d', logFile: '/d/main.log', backend: 'wasm', servingRunId: null, logLevel: 'INFO' }} onChanged={() => {}} />);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Appearance' }), 'dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem('omr.theme')).toBe('dark');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Appearance' }), 'system');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(localStorage.getItem('omr.theme')).toBeNull();
  });
});

describe('Training page', () => {
  it('builds its form from the configuration schema and starts a run with what was changed', async () => {
    // A configuration as the schema makes it (every value its smallest or first allowed).
    const config = Value.Create(APP_CONFIG_SCHEMA);
    config.training.epochs = 15;
    config.model.prediction = 'concat';
    answers['training:config'] = () => ({ config });
    answers['training:runs'] = () => [];
    answers['training:start'] = () => ({ started: true });
    const user = userEvent.setup();
    render(<TrainingPage backend="wasm" onTrained={() => {}} />);
    const epochs = (await screen.findByRole('spinbutton', { name: /Epochs/ })) as HTMLInputElement;
    expect(epochs.min).toBe('1');
    await waitFor(() => expect(epochs.value).toBe('15'));
    // (number inputs have no text selection in jsdom: the value is set as a change event)
    fireEvent.change(epochs, { target: { value: '3' } });
    expect((screen.getByRole('combobox', { name: /Prediction head/ }) as HTMLSelectElement).value).toBe('concat');
    await user.click(screen.getByRole('button', { name: /Start training/ }));
    await waitFor(() => expect(calls.find((c) => c.channel === 'training:start')?.req).toEqual({ overrides: ['training.epochs=3'] }));
  });
});

describe('Evaluation page', () => {
  it('shows the model against the best baseline for the chosen person', async () => {
    answers['evaluation:run'] = () => ({
      runId: 4, users: 1, profile: 'u03',
      rankers: [{ name: 'two_tower', metrics: { 'ndcg@10': 0.139 } }, { name: 'artist_affinity', metrics: { 'ndcg@10': 0.05 } }, { name: 'replay', metrics: { 'ndcg@10': 0.01 } }],
      allPlays: [{ name: 'two_tower', metrics: { 'ndcg@10': 1 } }, { name: 'replay', metrics: { 'ndcg@10': 0.9 } }],
    });
    render(<EvaluationPage profileId={3} profileName="u03" />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Evaluate the serving model' }));
    const verdict = await screen.findByTestId('eval-verdict');
    expect(verdict.textContent).toContain('model 0.139 against artist_affinity 0.050');
    expect(verdict.textContent).toContain('model 1.000 against replay 0.900');
    expect(calls.find((c) => c.channel === 'evaluation:run')?.req).toEqual({ profileId: 3 });
    expect(screen.getAllByRole('columnheader', { name: 'artist_affinity' }).length).toBeGreaterThan(0);
  });

  it('says why there is nothing to measure when the person’s listening is too short to hold any back', async () => {
    answers['evaluation:run'] = () => ({ runId: 1, users: 0, profile: 'tiny', rankers: [], allPlays: [] });
    render(<EvaluationPage profileId={1} profileName="tiny" />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Evaluate the serving model' }));
    expect((await screen.findByTestId('eval-none')).textContent).toMatch(/^Nothing to measure yet: tiny’s listening is too short/);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByText('NDCG@10, discovery')).toBeNull();
  });
});

describe('Profile page', () => {
  it('shows the person’s listening in their own locale’s numbers and dates', async () => {
    answers['profile:get'] = () => ({
      id: 1, name: 'u03', age: null, gender: null, country: null, events: 21549, hours: 1234.4, first: Date.UTC(2023, 0, 5), last: Date.UTC(2024, 5, 1),
      monthlyHours: [{ month: '2023-01', hours: 20 }], topGenres: [{ genre: 'pop', share: 0.39 }], topArtists: [{ artist: 'Frank Ocean', plays: 900 }],
      audioProfile: [{ feature: 'energy', value: 0.5, catalogue: 0.6 }],
    });
    render(<ProfilePage profileId={1} />);
    expect(await screen.findByRole('heading', { name: 'u03' })).toBeTruthy();
    expect(screen.getByText(new Intl.NumberFormat().format(21549))).toBeTruthy();
    expect(screen.getByText(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(Date.UTC(2023, 0, 5))))).toBeTruthy();
  });
});

describe('Import summary', () => {
  it('says what the importer noticed about each file, by file name, and how many catalogue lines it skipped', () => {
    const report: ImportReport = {
      profile: 'lin', ignoredFiles: [], events: 12, imported: 10, duplicates: 0, repeats: 0, skipped: 2,
      skippedReasons: { 'time before 2000 (a player without a clock?)': 2 }, skippedExamples: [],
      trackMatched: 8, artistMatched: 10, trackMatch: 0.8, artistMatch: 1, topUnmatchedArtists: [],
      catalog: { rows: 5, inserted: 4, merged: 0, skipped: 1, tracksTotal: 4 }, rematched: { tracks: 0, artists: 0 }, seconds: 0.4,
      files: [
        { path: 'C:\\Users\\lin\\odd.csv', format: 'spotify-tracks-csv', kind: 'catalog', records: 5, imported: 4, duplicates: 0, repeats: 0, skipped: 1, notes: ['2 value(s) outside what the column can hold were left missing (the first: tempo on line 3)'] },
        { path: '/home/lin/scrobbles.csv', format: 'lastfm-csv', kind: 'history', records: 12, imported: 10, duplicates: 0, repeats: 0, skipped: 2, notes: ['times are given to the day only'] },
      ],
    };
    render(<ImportSummary report={report} />);
    expect(within(screen.getByTestId('import-notes')).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'odd.csv: 2 value(s) outside what the column can hold were left missing (the first: tempo on line 3)',
      'scrobbles.csv: times are given to the day only',
    ]);
    expect(screen.getByText(/1 catalogue line\(s\) skipped/)).toBeTruthy();
    expect(screen.getByText(/skipped 2: time before 2000/)).toBeTruthy();
  });
});
