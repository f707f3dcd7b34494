// Audio, video and other non-image uploads. ODK Web Forms 0.22 keeps any <upload> in its
// engine (the file is set with setValue and sent as an attachment), but its renderer shows
// only "🚧 Support for non-image uploads is pending. 🚧" for them, without the question's
// label. The patch in vite.config.js hands those questions to this control instead: the
// engine's own label and validation message, a button that opens the device's recorder or
// camera (a file input with ``accept`` and ``capture``: on a phone, the microphone or the
// camera), another to choose a file, and a player to check what was recorded.
import { h } from 'vue';
import { t } from './i18n.js';

const WORDS = {
  audio: { record: 'form_record_audio', player: 'audio' },
  video: { record: 'form_record_video', player: 'video' },
};

/** The render function of one upload question whose media type is not an image. */
export function uploadFile(question, { ControlText, ValidationMessage }) {
  const media = question.nodeOptions.media;
  const words = WORDS[media.type] ?? null;
  let shown = null; // the File the player plays, and its object URL (revoked when it changes)
  let url = null;
  const urlOf = (file) => {
    if (file !== shown) {
      if (url) URL.revokeObjectURL(url);
      shown = file;
      url = file ? URL.createObjectURL(file) : null;
    }
    return url;
  };
  const picked = (event) => {
    const file = event.target.files?.[0] ?? null;
    event.target.value = ''; // the same file chosen again still counts as a change
    if (file) question.setValue(file);
  };
  const input = (text, capture) =>
    h('label', { class: ['wp-media-button', { disabled: question.currentState.readonly }] }, [
      h('input', {
        type: 'file',
        class: 'wp-sr-only',
        accept: media.accept,
        // capture: the browser opens the recorder or the camera rather than the file picker.
        ...(capture ? { capture: '' } : {}),
        disabled: question.currentState.readonly,
        'data-wp-capture': capture ? 'yes' : 'no',
        onChange: picked,
      }),
      h('span', text),
    ]);

  return () => {
    const file = question.currentState.value ?? null;
    const src = words ? urlOf(file) : null;
    return h('div', { class: 'wp-media', 'data-media': media.type ?? 'file' }, [
      h(ControlText, { question }),
      h('div', { class: 'wp-media-buttons' }, [
        words ? input(t(words.record), true) : null,
        input(t('form_choose_file'), false),
      ]),
      file
        ? h('div', { class: 'wp-media-value' }, [
            src ? h(words.player, { controls: true, src, class: 'wp-media-player' }) : null,
            h('span', { class: 'wp-media-name' }, `${file.name} (${Math.ceil(file.size / 1024)} KB)`),
            h(
              'button',
              {
                type: 'button',
                class: 'wp-media-clear secondary',
                disabled: question.currentState.readonly,
                onClick: () => question.setValue(null),
              },
              t('form_remove'),
            ),
          ])
        : null,
      h(ValidationMessage, { message: question.validationState.violation?.message.formatted }),
    ]);
  };
}
