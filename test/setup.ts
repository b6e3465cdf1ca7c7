/** Per test file: the temporary folders its tests made are removed once it has finished. */
import { afterAll } from 'vitest';
import { removeTmpDirs } from './helpers/env';

afterAll(removeTmpDirs);
