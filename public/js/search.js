// @ts-check
// Category search: a filter box and buttons above the select (still the field),
// in the place the page keeps for them (.cat-finder, sized in style/main.css).

/** @type {Record<string, string>} */
const ICONS = {
  'waste-collection': '🗑️', 'construction-debris': '🧱', 'illegal-dumping': '🚯', 'alley-cleaning': '🧹',
  'ditch-dredging': '🚰', 'street-flooding': '🌊', 'grit-salt': '🧂', 'snow-removal': '❄️',
  'dead-animal': '🐾', 'stray-dogs': '🐕', 'tree-pruning': '✂️', 'tree-falling': '🌲',
  'park-equipment': '🎠', irrigation: '💧', 'asphalt-repair': '🕳️', 'sidewalk-repair': '🚶',
  'open-manhole': '⚠️', 'street-lighting': '💡', 'traffic-light': '🚦', 'traffic-sign': '🚸',
  'bus-stop': '🚏', 'bus-service': '🚌', 'taxi-fare': '🚕', 'unauthorized-construction': '🏗️',
  'building-hazard': '🏚️', 'street-vendors': '🛒', noise: '🔊', graffiti: '🎨', 'homeless-outreach': '🤝',
  other: '📍',
};

/** Its own icon, else its group's first. @param {HTMLOptionElement} option */
const iconOf = (option) => {
  const known = [option, ...(option.parentElement?.children || [])].find(
    (candidate) => candidate instanceof HTMLOptionElement && ICONS[candidate.value],
  );
  return known instanceof HTMLOptionElement ? ICONS[known.value] : '📍';
};

/** @param {FilingPage} page */
export function enhanceSearch(page) {
  const { form, text, element, helpers } = page;
  const select = form.querySelector('#category');
  // The page keeps the finder's place (and height) before the select.
  const finder = form.querySelector('.cat-finder');
  if (!(select instanceof HTMLSelectElement) || !finder) return;
  const list = element('ul', { id: 'category-list', class: 'cat-list' });
  const noMatch = element('p', { class: 'hint', role: 'status' });
  /** @param {string} value */
  const pick = (value) => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  };
  const choices = [...select.options]
    .filter((option) => option.value)
    .map((option) => {
      const group = option.parentElement instanceof HTMLOptGroupElement ? option.parentElement.label : '';
      const button = element(
        'button',
        { type: 'button', class: 'cat', onclick: () => pick(option.value) },
        element('span', { class: 'cat-icon', 'aria-hidden': true }, iconOf(option)),
        element('span', { class: 'cat-name' }, option.text),
        element('span', { class: 'cat-group' }, group),
      );
      const item = element('li', {}, button);
      list.append(item);
      return { item, button, value: option.value, key: helpers.foldForSearch(option.text + '|' + group) };
    });
  const placeholder = text('SearchPlaceholder');
  const box = element('input', {
    type: 'search', id: 'category-search', class: 'cat-search', placeholder, 'aria-label': placeholder,
    'aria-controls': 'category-list', enterkeyhint: 'search',
    oninput: () => {
      const query = helpers.foldForSearch(box.value);
      for (const choice of choices) choice.item.hidden = !choice.key.includes(query);
      noMatch.textContent = choices.some((choice) => !choice.item.hidden) ? '' : text('SearchNone');
    },
  });
  // Enter goes to the first match, not sending the form.
  box.addEventListener('keydown', (event) => {
    if (event.key != 'Enter') return;
    event.preventDefault();
    choices.find((choice) => !choice.item.hidden)?.button.focus();
  });
  const markPicked = () => choices.forEach((choice) => choice.button.setAttribute('aria-pressed', String(choice.value == select.value)));
  select.addEventListener('change', markPicked);
  finder.append(box, list, noMatch);
  markPicked();
}
