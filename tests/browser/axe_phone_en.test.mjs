// axe-core over every page on a phone (PHONE), en-US: no serious or critical
// violation (tests/lib/axe.mjs).
import { axeEveryPage, PHONE } from '../lib/axe.mjs';

axeEveryPage('phone', PHONE, 'en-US');
