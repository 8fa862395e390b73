// axe-core over every page on a phone (PHONE), zh-CN: no serious or critical
// violation (tests/lib/axe.mjs).
import { axeEveryPage, PHONE } from '../lib/axe.mjs';

axeEveryPage('phone', PHONE, 'zh-CN');
