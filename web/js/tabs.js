// tabs.js — the tab strip of the staff consoles (staff.html, agency.html):
// buttons #tab-{name} for panels #panel-{name}, one selected, arrow keys
// move between the shown ones (WAI-ARIA tabs, manual activation).
const $ = (id) => document.getElementById(id);

/** Wire the tabs `names`; onSelect(name) runs after each selection.
 *  Returns select(name, focus) for the page to call. */
export function wireTabs(names, onSelect) {
  const select = (name, focus = false) => {
    for (const n of names) {
      const tab = $(`tab-${n}`);
      tab.setAttribute('aria-selected', n === name ? 'true' : 'false');
      tab.tabIndex = n === name ? 0 : -1;
      $(`panel-${n}`).hidden = n !== name;
    }
    if (focus) $(`tab-${name}`).focus();
    onSelect(name);
  };
  for (const n of names) {
    const tab = $(`tab-${n}`);
    tab.addEventListener('click', () => select(n));
    tab.addEventListener('keydown', (ev) => {
      // a tab the page hides (not for this account) is stepped over
      const shown = names.filter((x) => x === n || !$(`tab-${x}`).hidden);
      const i = shown.indexOf(n);
      if (ev.key === 'ArrowRight') select(shown[(i + 1) % shown.length], true);
      else if (ev.key === 'ArrowLeft') select(shown[(i + shown.length - 1) % shown.length], true);
      else return;
      ev.preventDefault();
    });
  }
  return select;
}
