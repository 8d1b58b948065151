// Setup of the `core (no fast rules)` test project: every core test runs again with the fast
// vjps detached, proving that the fast path only makes things faster (the same tests pass).
import { detachFastRules } from '../src/fast/index.ts';

detachFastRules();
