// The type of `#page-script` (package.json `imports`): the report page's script as text, from
// scripts/page-script.ts in the workspace and from the prebuilt dist/report/page-script.js
// in the published package.

/** src/report/page.ts and everything it imports, as one minified IIFE. */
export declare function bundlePageScript(): Promise<string>;
