// page.js — the script of pages with no behaviour of their own (404):
// the shared header and footer, translated.
import { mountLayout } from './layout.js';

mountLayout();
