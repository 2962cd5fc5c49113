// Types for the plain-JS lint plugin (eslint loads it without a build step).
import type { Rule } from 'eslint';

declare const plugin: { rules: { 'import-direction': Rule.RuleModule } };
export default plugin;
export const ALLOWED: Record<string, string[]>;
export function partOf(file: string, root: string): string | undefined;
