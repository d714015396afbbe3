// @ts-check
// Photos: the first pick fetches photo-list.js (resizing, thumbnails); the
// picker's click starts that download while the person chooses.

/** @param {FilingPage} page @returns {PhotoList | undefined} */
export function enhancePhotos(page) {
  const input = page.input('photo');
  const previews = page.field('photo-previews');
  if (!input || !previews) return;
  const note = page.element('p', { class: 'photo-note', role: 'status' });
  previews.append(note);
  /** @type {Promise<PhotoListView> | undefined} */
  let listLoading;
  const openList = () =>
    (listLoading ||= page.load('photo-list').then(
      (module) => module.createPhotoList(page, input, note),
      (error) => {
        listLoading = undefined; // the next pick tries again
        throw error;
      },
    ));
  let adding = Promise.resolve();

  /** @param {HTMLInputElement} picker */
  const addPicked = (picker) => {
    const picked = [...(picker.files || [])];
    // The camera's shots join the list (and the photo input): emptied, it
    // will not send them twice.
    if (picker != input) picker.value = '';
    adding = adding
      .then(async () => (await openList()).add(picked))
      .catch((error) => {
        console.warn('photos: no list', error);
        note.textContent = page.text('PhotoFailed');
      });
  };
  for (const picker of [input, page.input('photo-camera')]) {
    picker?.addEventListener('click', () => openList().catch((error) => console.warn('photos: no list yet', error)));
    picker?.addEventListener('change', () => addPicked(picker));
  }
  if (input.files?.length) addPicked(input); // picked before the script woke

  return {
    async ready() {
      await adding;
      return listLoading && (await listLoading).files();
    },
  };
}
