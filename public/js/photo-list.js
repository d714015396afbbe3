// @ts-check
// The photo list, fetched at the first pick: each photo resized in the
// browser, shown as a thumbnail that can be removed, at most data-max-photos.

/** @param {FilingPage} page @param {HTMLInputElement} input @param {HTMLElement} note */
export function createPhotoList(page, input, note) {
  const { text, element, helpers } = page;
  const maxPhotos = Number(page.settings.maxPhotos) || 5;
  /** @type {{ file: File, url: string }[]} */
  const kept = [];
  const list = element('ul', { class: 'photo-list' });
  note.before(list);

  // The input holds the small files: even a plain submit sends them.
  const syncInput = () => {
    try {
      const transfer = new DataTransfer();
      for (const photo of kept) transfer.items.add(photo.file);
      input.files = transfer.files;
    } catch (error) {
      console.warn('photos: input not synced', error);
    }
  };

  const drawList = () =>
    list.replaceChildren(
      ...kept.map((photo, index) => {
        const remove = () => {
          URL.revokeObjectURL(photo.url);
          kept.splice(kept.indexOf(photo), 1);
          syncInput();
          drawList();
          note.textContent = '';
          (list.querySelector('button') || input).focus();
        };
        const label = text('PhotoRemove');
        return element(
          'li',
          {},
          element('img', { src: photo.url, alt: '', width: 88, height: 88 }),
          element('button', { type: 'button', class: 'button photo-remove', 'aria-label': label + ' ' + page.digits(index + 1), onclick: remove }, label),
        );
      }),
    );

  return {
    /** @param {File[]} files */
    async add(files) {
      const notes = new Set();
      for (const file of files) {
        if (kept.length >= maxPhotos) {
          notes.add(text('PhotoTooMany', maxPhotos));
          continue;
        }
        try {
          const resized = await resize(file, helpers);
          kept.push({ file: resized, url: URL.createObjectURL(resized) });
          drawList();
        } catch (error) {
          console.warn('photos: unreadable', file.name, error);
          notes.add(text('PhotoFailed'));
        }
      }
      syncInput();
      note.textContent = [...notes].join(' ');
    },
    files: () => kept.map((photo) => photo.file),
    /** Empties the list (the form was saved for later and starts afresh). */
    clear() {
      for (const photo of kept.splice(0)) URL.revokeObjectURL(photo.url);
      syncInput();
      drawList();
      note.textContent = '';
    },
  };
}

/** An upright JPEG, longest edge at most 1600 px (the server keeps no more).
 *  @param {File} file @param {Helpers} helpers */
async function resize(file, helpers) {
  const image = await decode(file);
  const size = helpers.fitWithin(image.width, image.height, 1600);
  const canvas = Object.assign(document.createElement('canvas'), size);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no canvas');
  context.fillStyle = '#fff'; // not black where transparent
  context.fillRect(0, 0, size.width, size.height);
  context.drawImage(image, 0, 0, size.width, size.height);
  if ('close' in image) image.close();
  /** @type {Blob} */
  const blob = await new Promise((resolve, reject) =>
    canvas.toBlob((jpeg) => (jpeg ? resolve(jpeg) : reject(new Error('no JPEG'))), 'image/jpeg', 0.8),
  );
  canvas.width = canvas.height = 0; // frees the memory now
  return new File([blob], helpers.jpegName(file.name), { type: 'image/jpeg' });
}

/** @param {File} file @returns {Promise<ImageBitmap | HTMLImageElement>} */
async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (error) {
    console.warn('photos: trying <img>', error);
    const image = new Image();
    image.src = URL.createObjectURL(file);
    try {
      await image.decode();
      return image;
    } finally {
      URL.revokeObjectURL(image.src);
    }
  }
}
