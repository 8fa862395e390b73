// axe-core over every page on a desktop (DESKTOP), zh-CN: no serious or critical
// violation (tests/lib/axe.mjs).
import { axeEveryPage, DESKTOP } from '../lib/axe.mjs';

axeEveryPage('desktop', DESKTOP, 'zh-CN');
