/**
 * The renderer's api module, faked: every call is recorded and answered by `answers` (a function
 * per channel), so a page can be rendered without the main process.
 */
import { vi } from 'vitest';
import type { Channel, Req, Res } from '../../src/shared/ipc';

export const calls: { channel: Channel; req: unknown }[] = [];
export const answers: Partial<{ [C in Channel]: (req: Req<C>) => Res<C> | Promise<Res<C>> }> = {};

export const fakeApiModule = {
  api: { invoke: vi.fn(), on: vi.fn(() => () => {}) },
  call: vi.fn(async <C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> => {
    calls.push({ channel, req });
    const answer = answers[channel] as ((r: Req<C>) => Res<C> | Promise<Res<C>>) | undefined;
    if (!answer) throw new Error(`no answer for ${channel}`);
    return answer(req);
  }),
  rlog: { error: vi.fn(), warning: vi.fn(), info: vi.fn() },
};

export function reset(): void {
  calls.length = 0;
  for (const k of Object.keys(answers)) delete answers[k as Channel];
}
