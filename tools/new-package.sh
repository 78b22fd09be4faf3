#!/usr/bin/env bash
# Scaffolds packages/NAME (or apps/NAME with --app) with the workspace's conventions:
# ESM, exports map (source condition for workspace tests, then types, then dist), build/typecheck/test scripts,
# its own vitest project. Usage: tools/new-package.sh [--app] NAME "one-line description"
set -euo pipefail
root=packages
if [ "${1:-}" = "--app" ]; then root=apps; shift; fi
name=${1:?usage: new-package.sh [--app] NAME DESCRIPTION}
desc=${2:?description required}
dir="$(cd "$(dirname "$0")/.." && pwd)/$root/$name"
[ -e "$dir/package.json" ] && { echo "new-package: $dir/package.json exists" >&2; exit 1; }
mkdir -p "$dir/src"
cat > "$dir/package.json" <<JSON
{
  "name": "@gemma3/$name",
  "version": "0.0.0",
  "description": "$desc",
  "type": "module",
  "sideEffects": false,
  "license": "Apache-2.0",
  "exports": {
    ".": {
      "@gemma3/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist", "!dist/**/*.test.*"],
  "scripts": {
    "build": "tsc -p tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "test": "vitest run"
  }
}
JSON
cat > "$dir/tsconfig.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src"]
}
JSON
cat > "$dir/tsconfig.build.json" <<'JSON'
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist",
    "customConditions": []
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts", "src/**/test-utils/**"]
}
JSON
cat > "$dir/vitest.config.ts" <<JS
import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@gemma3/source'] },
  ssr: { resolve: { conditions: ['@gemma3/source'] } },
  test: { name: '$name', include: ['src/**/*.test.ts'] },
});
JS
echo "created $dir"
