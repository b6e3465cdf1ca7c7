import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureLogging, getLogger, parseLevel } from '../../src/main/logging';
import { tmpDir } from '../helpers/env';

describe('logging facade', () => {
  it('writes the five plan levels to the log file, filtered by the configured level', async () => {
    const file = path.join(tmpDir(), 'logs', 'main.log');
    configureLogging({ quiet: true, file, fileLevel: 'DEBUG' });
    const log = getLogger('test');
    log.debug('d-msg');
    log.info('i-msg');
    log.warning('w-msg');
    log.error('e-msg');
    log.critical('c-msg');
    configureLogging({ quiet: true, file, fileLevel: 'ERROR' });
    log.warning('hidden-warning');
    log.critical('shown-critical');
    await new Promise((r) => setTimeout(r, 50));
    const text = fs.readFileSync(file, 'utf8');
    for (const [lvl, msg] of [['DEBUG', 'd-msg'], ['INFO', 'i-msg'], ['WARNING', 'w-msg'], ['ERROR', 'e-msg'], ['CRITICAL', 'c-msg'], ['CRITICAL', 'shown-critical']]) {
      expect(text).toMatch(new RegExp(`\\[${lvl}\\] \\(test\\) ${msg}`));
    }
    expect(text).not.toContain('hidden-warning');
    configureLogging({ quiet: true });
  });

  it('parses level names and aliases', () => {
    expect(parseLevel('warn')).toBe('WARNING');
    expect(parseLevel('Critical')).toBe('CRITICAL');
    expect(() => parseLevel('loud')).toThrow(/DEBUG, INFO, WARNING, ERROR, CRITICAL/);
  });
});
