// `npm run openapi`: regenerates openapi.json from the route table, the route docs and the zod schemas.
// Commit the result: test/unit/openapi.unit.test.ts fails while the committed file differs.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderOpenApiDocument } from '#functions/openapi/build-openapi.ts';
import packageJson from '../package.json' with { type: 'json' };

const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
writeFileSync(target, renderOpenApiDocument(packageJson.version));
console.log(`wrote ${target}`);
