/**
 * One logging facade for the Electron main process and for plain-Node scripts.
 *
 * The plan's five levels (DEBUG, INFO, WARNING, ERROR, CRITICAL) map onto electron-log's
 * levels; CRITICAL is registered as an extra electron-log level above `error`. Console output
 * goes to stderr so that CLI commands can keep stdout for their results (`--json`).
 */
import log from 'electron-log/node';

type LevelOption = typeof log.transports.file.level;
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
export const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

type ElectronLevel = 'critical' | 'error' | 'warn' | 'info' | 'debug';
const TO_ELECTRON: Record<LogLevel, ElectronLevel> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'critical',
};
const LABEL: Record<string, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  critical: 'CRITICAL',
  verbose: 'DEBUG',
  silly: 'DEBUG',
};

let initialised = false;
function init(): void {
  if (initialised) return;
  initialised = true;
  if (!log.levels.includes('critical')) log.addLevel('critical', 0);
  log.transports.file.format = ({ message, data }) => [
    `[${message.date.toISOString()}] [${LABEL[message.level] ?? message.level}]${message.scope ? ` (${message.scope})` : ''}`,
    ...data,
  ];
  log.transports.console.format = ({ message, data }) => [
    `[${LABEL[message.level] ?? message.level}]${message.scope ? ` (${message.scope})` : ''}`,
    ...data,
  ];
  log.transports.console.writeFn = ({ message }) => {
    const text = message.data
      .map((d) => (d instanceof Error ? (d.stack ?? d.message) : typeof d === 'string' ? d : safeJson(d)))
      .join(' ');
    process.stderr.write(text + '\n');
  };
  // Until a log file is configured, write none (tests, one-off scripts).
  log.transports.file.level = false;
  log.transports.console.level = 'info';
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warning(...args: unknown[]): void;
  error(...args: unknown[]): void;
  critical(...args: unknown[]): void;
  log(level: LogLevel, ...args: unknown[]): void;
}

/** A scoped logger, e.g. `getLogger('importer')`. */
export function getLogger(scope?: string): Logger {
  init();
  const target = (scope ? log.scope(scope) : log) as unknown as Record<ElectronLevel, (...a: unknown[]) => void>;
  const emit = (level: LogLevel, args: unknown[]) => {
    const fn = target[TO_ELECTRON[level]] ?? (log as unknown as Record<string, (...a: unknown[]) => void>)[TO_ELECTRON[level]];
    fn(...args);
  };
  return {
    debug: (...a) => emit('DEBUG', a),
    info: (...a) => emit('INFO', a),
    warning: (...a) => emit('WARNING', a),
    error: (...a) => emit('ERROR', a),
    critical: (...a) => emit('CRITICAL', a),
    log: (level, ...a) => emit(level, a),
  };
}

export interface LoggingOptions {
  /** Minimum level written to the console (stderr). */
  level?: LogLevel;
  /** Minimum level written to the log file; defaults to `level`. */
  fileLevel?: LogLevel;
  /** Log file path; none when omitted. */
  file?: string;
  /** Silence the console entirely (e.g. tests). */
  quiet?: boolean;
}

export function parseLevel(value: string): LogLevel {
  const up = value.toUpperCase();
  const alias: Record<string, LogLevel> = { WARN: 'WARNING', FATAL: 'CRITICAL' };
  const lvl = (alias[up] ?? up) as LogLevel;
  if (!LOG_LEVELS.includes(lvl)) {
    throw new Error(`unknown log level "${value}": expected one of ${LOG_LEVELS.join(', ')}`);
  }
  return lvl;
}

export function configureLogging(opts: LoggingOptions): void {
  init();
  const level = opts.level ?? 'INFO';
  log.transports.console.level = opts.quiet ? false : (TO_ELECTRON[level] as LevelOption);
  if (opts.file) {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    log.transports.file.resolvePathFn = () => opts.file!;
    log.transports.file.level = TO_ELECTRON[opts.fileLevel ?? level] as LevelOption;
  } else {
    log.transports.file.level = false;
  }
}

/** The electron-log instance, for the Electron shell to hook renderer logs into. */
export const electronLog = log;
