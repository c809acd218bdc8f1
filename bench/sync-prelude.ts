// Imported first by every compiled bench script. src/connector/proto.ts finds the .proto files at
// `<build root>/protos`, which exists for dist/ but not for .bench-build/: link it to the repository's copy.
import { existsSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const buildRoot = fileURLToPath(new URL('../', import.meta.url));
const protos = fileURLToPath(new URL('../protos', import.meta.url));
if (buildRoot.endsWith('/.bench-build/') && !existsSync(protos)) symlinkSync('../protos', protos, 'dir');
