import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { resourceDir } from '../../src/main/paths';

const root = path.dirname(resourceDir('package.json'));

describe('electron-builder configuration', () => {
  const cfg = yaml.load(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

  it('builds AppImage, deb, NSIS and dmg from the electron-vite output', () => {
    expect(cfg.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(cfg.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(cfg.win.target).toContain('nsis');
    expect(cfg.mac.target).toContain('dmg');
    expect(cfg.files).toContain('out/**');
    expect(pkg.main).toBe('./out/main/index.js');
    expect(pkg.scripts.dist).toMatch(/electron-vite build && electron-builder/);
  });

  it('ships migrations and default configs as resources, found where the app looks for them', () => {
    for (const r of cfg.extraResources) {
      expect(fs.existsSync(path.join(root, r.from)), r.from).toBe(true);
      expect(r.to).toBe(r.from); // paths.resourceDir looks for the same relative path under resourcesPath
    }
    expect(cfg.extraResources.map((r: { from: string }) => r.from)).toEqual(expect.arrayContaining(['configs', 'src/main/db/migrations']));
  });

  it('flips the Electron fuses: no run-as-Node, no NODE_OPTIONS or --inspect, cookie encryption, asar integrity', () => {
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      enableCookieEncryption: true, enableEmbeddedAsarIntegrityValidation: true, onlyLoadAppFromAsar: true,
    });
  });

  it('keeps native modules and wasm outside the asar, rebuilt for Electron, and no data inside', () => {
    expect(cfg.asar).toBe(true);
    expect(cfg.asarUnpack.some((p: string) => p.includes('better-sqlite3'))).toBe(true);
    expect(cfg.asarUnpack.some((p: string) => p.includes('.wasm'))).toBe(true);
    expect(cfg.npmRebuild).toBe(true);
    expect(cfg.files).toEqual(expect.arrayContaining(['!**/*.sqlite', '!**/shared/**']));
    for (const os of ['linux', 'win', 'mac']) expect(fs.existsSync(path.join(root, cfg[os].icon)), os).toBe(true);
  });

  it('lists the TensorFlow native bindings as optional, electron and electron-builder as dev tools', () => {
    expect(Object.keys(pkg.optionalDependencies)).toEqual(expect.arrayContaining(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']));
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.devDependencies['electron-builder']).toBeDefined();
    expect(pkg.dependencies['better-sqlite3']).toMatch(/^\^12\./);
  });
});

describe('the main-process bundle', () => {
  it("loads every package it imports with Node's require (the bundle keeps them external)", () => {
    // electron-vite leaves dependencies as require() calls; a deep import of an ES-module file
    // (as tfjs-core's dist/register_all_gradients is) loads under tsx but crashes the built app.
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (/\.tsx?$/.test(e.name)) files.push(path.join(d, e.name));
      }
    };
    walk(path.join(root, 'src', 'main'));
    const specs = new Set<string>();
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec.startsWith('.')) continue;
        if (spec.startsWith('node:') || spec === 'electron' || /tfjs-node/.test(spec)) continue; // optional or provided by the shell
        specs.add(spec);
      }
    }
    expect(specs.has('@tensorflow/tfjs-core')).toBe(true);
    const script = [...specs].map((s) => `require(${JSON.stringify(s)});`).join('\n');
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr.split('\n').find((l) => /Error/.test(l)) ?? '', [...specs].join(', ')).toBe('');
    expect(r.status).toBe(0);
  });
});
