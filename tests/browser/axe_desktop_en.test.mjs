// axe-core over every page on a desktop (DESKTOP), en-US: no serious or critical
// violation (tests/lib/axe.mjs).
import { axeEveryPage, DESKTOP } from '../lib/axe.mjs';

axeEveryPage('desktop', DESKTOP, 'en-US');
