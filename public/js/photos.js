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
  if (new URLSearchParams(location.search).has('shared')) takeShared(page, openList, note);

  return {
    async ready() {
      await adding;
      return listLoading && (await listLoading).files();
    },
    async clear() {
      await adding;
      if (listLoading) (await listLoading).clear();
    },
  };
}

/** Photos shared to the installed app (the worker's share target keeps them
 *  in IndexedDB and opens /report?shared=1): into the list, the shared text
 *  into an empty description.
 *  @param {FilingPage} page @param {() => Promise<PhotoListView>} openList @param {HTMLElement} note */
async function takeShared(page, openList, note) {
  try {
    const outbox = await page.load('outbox');
    const shared = await outbox.takeShared(await outbox.openOutbox());
    const said = new URLSearchParams(location.search).get('text');
    const description = page.field('description');
    if (said && description instanceof HTMLTextAreaElement && !description.value) description.value = said;
    if (!shared.length) return;
    await (await openList()).add(shared.map((photo) => new File([photo.blob], photo.name, { type: photo.blob.type })));
    note.textContent ||= page.text('SharedPhotoAdded');
  } catch (error) {
    console.warn('photos: no shared photo', error);
  }
}
