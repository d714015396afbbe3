// Types of the filing form's scripts, for `tsc -p tsconfig.js.json` only: the
// browser never loads this file. Global (no import/export), so every script
// sees them without a run-time import.

/** A point in degrees. */
interface Point {
  lat: number;
  lon: number;
}

/** A located fix, as the "use my location" button announces it
 *  (`pasokh:located` on the form). */
interface Fix extends Point {
  accuracy?: number;
}

/** Attribute values of `element()`; a function under an `on…` name is an
 *  event listener. */
type Attributes = Record<string, string | number | boolean | null | undefined | ((event: Event) => unknown)>;

/** Makes an element with attributes and children. */
type ElementBuilder = <Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes?: Attributes,
  ...children: (Node | string)[]
) => HTMLElementTagNameMap[Tag];

/** The pure helpers (helpers.js); node's test runner checks them. */
interface Helpers {
  /** Persian (۰–۹) and Arabic-Indic (٠–٩) digits and the decimal separator
   *  ٫ as ASCII, trimmed. */
  toAsciiDigits(text: string): string;
  /** A number in the page's digits: Persian when `lang` is `fa`. */
  pageDigits(value: number | string, lang: string): string;
  /** A search key: lower case, Arabic ye (ي ى), kaf (ك) and alef forms
   *  (أ إ آ) as Persian, no spaces or ZWNJ, so «پيادهرو» finds «پیاده‌رو». */
  foldForSearch(text: string): string;
  /** A translated template with its `{}` filled by `arg` in the page's
   *  digits (emptied when there is no `arg`). */
  formatMessage(template: string, arg: number | undefined, lang: string): string;
  /** A coordinate as typed (any digits, ٫ or .; at most three integer
   *  digits): a number within ±`limit`, else NaN. */
  parseCoordinate(text: string, limit: number): number;
  /** The point in the latitude and longitude fields; null when either is
   *  empty, malformed or out of range. */
  parsePoint(latText: string, lonText: string): Point | null;
  /** Whole percent done, 0–100 (0 while the total is unknown). */
  percentOf(done: number, total: number): number;
  /** The size that fits `maxEdge` on the longest side, never enlarged. */
  fitWithin(width: number, height: number, maxEdge: number): { width: number; height: number };
  /** A resized photo's name: the same stem, `.jpg`. */
  jpegName(name: string): string;
  /** The form field to focus for an API error's `field` (`location` is the
   *  latitude field), or null when it is none of the form's visible fields. */
  fieldIdForError(field: unknown): string | null;
  /** What `POST /api/v1/complaints` answered, from its status and parsed
   *  JSON body (undefined when it was not JSON). */
  filingOutcome(status: number, body: unknown): FilingOutcome;
}

/** The map's pure helpers (geo.js), fetched with the map. */
interface GeoHelpers {
  /** The map's start from data-center ("lat,lon"); [0, 0] when absent. */
  parseCenter(text: string | undefined): [number, number];
  /** Is the point inside the ring (GeoJSON corners, [lon, lat])? Even-odd rule. */
  insideRing(point: Point, ring: number[][]): boolean;
  /** Inside some polygon's outer ring; true while the polygons are unknown. */
  insideDistricts(point: Point, polygons: number[][][][] | undefined): boolean;
  /** Text safe inside HTML (Leaflet renders the tile attribution as HTML). */
  escapeHtml(text: string): string;
}

/** What the filing form's parts share, made once by report.js. */
interface FilingPage {
  form: HTMLFormElement;
  /** data-* of the form and of #report-msgs: settings and translated strings. */
  settings: DOMStringMap;
  lang: 'fa' | 'en';
  /** The data-msg-… string `key` (e.g. `MapOpen`), `{}` filled with `arg`.
   *  Throws when the page lacks it, which keeps that part off. */
  text(key: string, arg?: number): string;
  /** A number in the page's digits. */
  digits(value: number): string;
  /** The form's element with this id, if it is there. */
  field(id: string): HTMLElement | null;
  /** The form's input with this id, if it is there and an input. */
  input(id: string): HTMLInputElement | null;
  /** The point typed in the coordinate fields, or null. */
  point(): Point | null;
  /** A same-origin JSON API in the page's language; rejects unless 2xx. */
  getJson(path: string): Promise<unknown>;
  element: ElementBuilder;
  helpers: Helpers;
  load: ModuleLoader;
}

/** What the map's button hands the map when it opens. */
interface MapSlot {
  status: HTMLElement;
  openButton: HTMLElement;
  latInput: HTMLInputElement;
  lonInput: HTMLInputElement;
  accuracyInput: HTMLInputElement;
  tileUrl: string;
}

/** Imports one of the form's modules in the page's version (?v=). */
type ModuleLoader = <Name extends keyof FilingModules>(name: Name) => Promise<FilingModules[Name]>;

/** An open map (map-picker.js). */
type Picker = ReturnType<typeof import('./map-picker.js').createPicker>;

/** The photo list (photo-list.js). */
type PhotoListView = ReturnType<typeof import('./photo-list.js').createPhotoList>;

/** What `POST /api/v1/complaints` answered: filed, refused with a message to
 *  show (and the form field to focus), or neither (the page then shows its
 *  generic "sending failed"). */
interface FilingOutcome {
  trackingCode?: string;
  message?: string;
  fieldId?: string | null;
}

/** The photos part, as sending sees it. */
interface PhotoList {
  /** The resized photos once every pick is done; none when the list never
   *  opened (nothing picked, or it failed to load): the inputs hold them. */
  ready(): Promise<File[] | undefined>;
  /** Empties the list once every pick is done. */
  clear(): Promise<void>;
}

/** The modules report.js loads, by name. */
interface FilingModules {
  helpers: typeof import('./helpers.js');
  geo: typeof import('./geo.js');
  map: typeof import('./map.js');
  'map-picker': typeof import('./map-picker.js');
  photos: typeof import('./photos.js');
  'photo-list': typeof import('./photo-list.js');
  submit: typeof import('./submit.js');
  nearby: typeof import('./nearby.js');
  'nearby-list': typeof import('./nearby-list.js');
  search: typeof import('./search.js');
  outbox: typeof import('./outbox.js');
}

/** `GET /api/v1/complaints/nearby`. */
interface NearbyAnswer {
  radius_m: number;
  items: { tracking_code: string; category: string; distance_m: number }[];
}

/** `GET /api/v1/districts` (the parts the map uses). */
interface DistrictCollection {
  features: { geometry: { type: string; coordinates: number[][][] } }[];
}

/** The little of Leaflet 1.9 the map uses; leaflet.js is loaded on demand
 *  and sets `window.L`. */
declare namespace Leaflet {
  interface LatLng {
    lat: number;
    lng: number;
    equals(other: LatLngInput, margin?: number): boolean;
  }
  type LatLngInput = LatLng | [number, number];
  interface Layer {
    addTo(map: Map): this;
    remove(): this;
  }
  interface Marker extends Layer {
    getLatLng(): LatLng;
    setLatLng(at: LatLngInput): this;
    on(type: 'dragend', listener: () => void): this;
  }
  interface Map {
    setView(center: LatLngInput, zoom: number): this;
    getZoom(): number;
    getCenter(): LatLng;
    panTo(at: LatLngInput): this;
    on(type: 'click', listener: (event: { latlng: LatLng }) => void): this;
  }
  interface Module {
    Icon: { Default: { imagePath: string } };
    map(container: HTMLElement): Map;
    tileLayer(urlTemplate: string, options: { attribution: string; maxZoom: number }): Layer;
    marker(at: LatLngInput, options: { draggable: boolean; keyboard: boolean }): Marker;
    circle(at: LatLngInput, options: { radius: number; weight: number; interactive: boolean; className: string }): Layer;
    geoJSON(
      features: DistrictCollection['features'],
      options: { interactive: boolean; style: Record<string, string | number> },
    ): Layer;
  }
}

interface Window {
  L?: Leaflet.Module;
}

/** A photo waiting in the outbox (or shared to the app): resized JPEG. */
interface OutboxPhoto {
  name: string;
  blob: Blob;
}

/** A complaint in the offline outbox (outbox.js), by its idempotency key.
 *  queued → sending → sent (with its tracking code) | refused (with the
 *  server's reason) | queued again after a failure, later each time. */
interface OutboxItem {
  key: string;
  lang: 'fa' | 'en';
  /** The form's fields as sent, photos apart. */
  fields: [string, string][];
  photos: OutboxPhoto[];
  /** What the list shows: the category and the start of the description. */
  summary: string;
  created: number;
  state: 'queued' | 'sending' | 'sent' | 'refused';
  /** Failed sends so far. */
  attempts: number;
  /** Not to be sent before (ms since the epoch), unless the connection returns. */
  nextAt: number;
  /** While `sending`: the sender's hold, after which another may take it. */
  leaseUntil?: number;
  /** A filing's code once sent; an answer's complaint from the start. */
  code?: string;
  /** Set for an answer from the tracking page rather than a filing. */
  kind?: Verdict;
  message?: string;
  sentAt?: number;
}

/** The tracking page's answers that may wait in the outbox. */
type Verdict = 'rating' | 'objection' | 'support';

/** What scripts/sw-build.mjs writes into the service worker. */
interface SwBuild {
  /** Changes with every build whose files changed. */
  version: string;
  /** Paths (with their ?v=) fetched at install and served cache first. */
  precache: string[];
}

/** The outbox (and the filing helpers) inlined into the service worker. */
type SwOutbox = typeof import('./outbox.js') & { helpers: Helpers };

// The little of the service worker's global scope that public/sw.js uses
// (the "WebWorker" lib cannot share a program with "DOM").
interface SwExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface SwFetchEvent extends SwExtendableEvent {
  readonly request: Request;
  readonly preloadResponse: Promise<Response | undefined>;
  respondWith(response: Response | Promise<Response>): void;
}
interface SwSyncEvent extends SwExtendableEvent {
  readonly tag: string;
}
interface SwMessageEvent extends SwExtendableEvent {
  readonly data: { type?: string } | null;
  readonly ports: readonly MessagePort[];
}
interface SwNotificationEvent extends SwExtendableEvent {
  readonly notification: Notification;
}
interface SwPushEvent extends SwExtendableEvent {
  readonly data: { json(): unknown } | null;
}
interface SwPushSubscriptionChangeEvent extends SwExtendableEvent {
  readonly oldSubscription: PushSubscription | null;
  readonly newSubscription: PushSubscription | null;
}

/** What this phone follows by web push (public/js/push.js writes it, the
 *  service worker moves it to a renewed subscription): the subscription's
 *  endpoint, the server key it was made with (base64url) and the tracking
 *  codes it follows. */
interface PushState {
  endpoint: string;
  key: string;
  codes: string[];
}
interface SwEventMap {
  install: SwExtendableEvent;
  activate: SwExtendableEvent;
  fetch: SwFetchEvent;
  message: SwMessageEvent;
  sync: SwSyncEvent;
  notificationclick: SwNotificationEvent;
  push: SwPushEvent;
  pushsubscriptionchange: SwPushSubscriptionChangeEvent;
}
interface SwScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: {
    openWindow(url: string): Promise<unknown>;
    matchAll(options: { type: 'window' }): Promise<readonly { readonly url: string; focus(): Promise<unknown> }[]>;
  };
  skipWaiting(): Promise<void>;
  addEventListener<K extends keyof SwEventMap>(type: K, listener: (event: SwEventMap[K]) => void): void;
}

/** Background Sync (Chromium only): not in the DOM lib. */
interface ServiceWorkerRegistration {
  readonly sync?: { register(tag: string): Promise<void> };
}

/** The install prompt (Chromium only): not in the DOM lib. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

interface Navigator {
  /** iOS Safari: true when opened from the home screen. */
  readonly standalone?: boolean;
}
