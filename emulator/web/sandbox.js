/* SAKIP Bot sandbox page: chat with the bot as demo people, through the Bot API emulator.
 *
 * Plain DOM, no build step. Bot and user text is never parsed as HTML: every piece of
 * text becomes a text node, formatting is rebuilt from Telegram's entities (offsets are
 * UTF-16 code units, like JavaScript strings). State comes from GET api/chats/<id>;
 * live changes arrive as Server-Sent Events from api/events (see emulator/browser_events.py).
 */
"use strict";

(() => {
  const T = {
    title: "SAKIP Bot · Sandbox",
    peopleHint: "Coba bot tanpa Telegram: pilih orang demo, lalu mengobrol sebagai dia.",
    pickPerson: "Pilih orang di sebelah kiri untuk mulai mengobrol dengan bot.",
    placeholder: "Ketik pesan…",
    send: "Kirim",
    attach: "Lampirkan",
    attachHint: "Lampirkan foto atau berkas (teks di kotak pesan menjadi keterangan)",
    download: "Unduh",
    menu: "Menu",
    keyboard: "Tombol",
    back: "Kembali",
    split: "Dua panel",
    single: "Satu panel",
    edited: "diedit",
    you: "Anda",
    photo: "Foto",
    file: "Berkas",
    copied: "Teks disalin.",
    uploading: "Mengunggah…",
    spoiler: "Ketuk untuk melihat",
    noCommands: "Bot belum memasang daftar perintah.",
    connection: { connecting: "Menyambung…", open: "Terhubung", closed: "Terputus, menyambung ulang…" },
    kinds: { sticker: "Stiker", location: "Lokasi", contact: "Kontak", poll: "Polling", dice: "Dadu",
      video_note: "Video bulat", venue: "Tempat" },
    unsupported: "Jenis pesan ini belum ditampilkan di sandbox",
    actions: { typing: "mengetik…", upload_photo: "mengirim foto…", upload_document: "mengirim berkas…",
      upload_video: "mengirim video…", record_video: "merekam video…", record_voice: "merekam suara…",
      upload_voice: "mengirim pesan suara…", choose_sticker: "memilih stiker…", find_location: "mencari lokasi…",
      record_video_note: "merekam video…", upload_video_note: "mengirim video…", other: "sedang bekerja…" },
    errors: { unknown_person: "Orang ini tidak ada di sandbox.", empty_text: "Pesan kosong.",
      text_too_long: "Pesan terlalu panjang (maks. 4096 karakter).",
      caption_too_long: "Keterangan terlalu panjang (maks. 1024 karakter).",
      button_gone: "Tombol ini sudah tidak berlaku.", message_gone: "Pesan ini sudah dihapus.",
      no_file: "Berkas tidak ditemukan.", empty_file: "Berkas kosong.", bad_request: "Permintaan tidak valid.",
      network: "Sandbox tidak dapat dihubungi.", other: "Terjadi kesalahan." },
  };
  const ACTION_SHOWN_MS = 5000; // Telegram shows a chat action for 5 s or until the next message
  const PENDING_BUTTON_MS = 15000; // a pressed button spins until answered, at most this long
  const WIDE_LAYOUT = "(min-width: 720px)"; // people list and chat side by side
  const WIDE_ENOUGH_FOR_TWO = "(min-width: 1100px)"; // two chats side by side (matches sandbox.css)

  const state = { bot: null, people: [], chats: new Map(), panes: [], focused: 0, split: false };
  const $ = (selector, root = document) => root.querySelector(selector);

  // -- small DOM helpers -------------------------------------------------------------------
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "testid") node.dataset.testid = value;
      else if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") {
        for (const [name, item] of Object.entries(value)) if (item !== undefined && item !== null) node.dataset[name] = item;
      }
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function api(path, options = {}) {
    const init = { ...options, headers: { ...(options.headers || {}) } };
    if (init.method === "POST") init.headers["X-Sandbox"] = "1";
    if (init.json !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.json);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new Error("network");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || "other");
    return body;
  }

  const errorText = (error) => T.errors[error.message] || T.errors.other;

  function toast(text) {
    const node = el("div", { className: "toast", testid: "toast", role: "status", text });
    $(".toasts").append(node);
    setTimeout(() => node.remove(), 3500);
  }

  function showAlert(text) {
    $("[data-testid=alert-text]").textContent = text;
    $("[data-testid=alert-backdrop]").hidden = false;
    $("[data-testid=alert-ok]").focus();
  }

  function formatSize(bytes) {
    const number = new Intl.NumberFormat("id-ID", { maximumFractionDigits: 1 });
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${number.format(bytes / 1024)} KB`;
    return `${number.format(bytes / 1024 / 1024)} MB`;
  }

  const formatTime = (unix) => new Date(unix * 1000).toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit" });
  // "Ratna (Kepala Dinas)" → "RK": the first letters of the first two words, brackets and dots left out
  const initials = (name) => (name.match(/[\p{L}\p{N}]+/gu) || ["?"]).slice(0, 2).map((w) => w[0].toUpperCase()).join("");

  function safeUrl(raw) {
    try {
      const url = new URL(raw);
      return ["http:", "https:", "mailto:", "tel:"].includes(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  }

  // -- entities → DOM ------------------------------------------------------------------------
  const byOffset = (a, b) => a.offset - b.offset || b.length - a.length;

  /** Text with Telegram entities as DOM nodes; overlapping entities are split at the boundary. */
  function formatted(text, entities, chat) {
    const fragment = document.createDocumentFragment();
    const usable = (entities || []).filter((e) => e.length > 0).map((e) => ({ ...e }));
    appendRange(fragment, text, 0, text.length, usable.sort(byOffset), chat);
    return fragment;
  }

  function appendRange(parent, text, start, end, entities, chat) {
    let position = start;
    let queue = entities;
    while (queue.length) {
      const entity = queue.shift();
      const from = Math.max(entity.offset, position);
      const to = Math.min(entity.offset + entity.length, end);
      if (to <= from) continue;
      if (from > position) parent.append(text.slice(position, from));
      const inner = [];
      const rest = [];
      for (const other of queue) {
        if (other.offset >= to) rest.push(other);
        else if (other.offset + other.length <= to) inner.push(other);
        else {
          inner.push({ ...other, length: to - other.offset });
          rest.push({ ...other, offset: to, length: other.offset + other.length - to });
        }
      }
      const { outer, content } = entityNode(entity, text.slice(from, to), chat);
      appendRange(content, text, from, to, inner, chat);
      parent.append(outer);
      position = to;
      queue = rest.sort(byOffset);
    }
    if (position < end) parent.append(text.slice(position, end));
  }

  function link(href) {
    return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
  }

  function entityNode(entity, segment, chat) {
    const simple = { bold: "strong", italic: "em", underline: "u", strikethrough: "s" };
    let node;
    if (simple[entity.type]) node = el(simple[entity.type]);
    else if (entity.type === "code") node = el("code", { className: "inline-code" });
    else if (entity.type === "pre") {
      const code = el("code", { dataset: entity.language ? { language: entity.language } : undefined });
      return { outer: el("pre", {}, code), content: code };
    } else if (entity.type === "blockquote" || entity.type === "expandable_blockquote") {
      const expandable = entity.type === "expandable_blockquote";
      node = el("blockquote", { className: expandable ? "expandable" : "" });
      if (expandable) node.addEventListener("click", () => node.classList.toggle("expanded"));
    } else if (entity.type === "spoiler") {
      node = el("span", { className: "spoiler", testid: "spoiler", title: T.spoiler });
      node.addEventListener("click", () => node.classList.add("revealed"));
    } else if (entity.type === "text_link") node = link(safeUrl(entity.url));
    else if (entity.type === "url") node = link(safeUrl(/^[a-z]+:/i.test(segment) ? segment : `http://${segment}`));
    else if (entity.type === "email") node = link(safeUrl(`mailto:${segment}`));
    else if (entity.type === "phone_number") node = link(safeUrl(`tel:${segment.replace(/[^\d+]/g, "")}`));
    else if (entity.type === "bot_command") {
      node = el("span", { className: "command", role: "button", tabindex: "0" });
      node.addEventListener("click", () => sendText(chat, segment.split("@")[0]));
    } else node = el("span", { className: `entity-${entity.type}` });
    return { outer: node, content: node };
  }

  // -- messages ----------------------------------------------------------------------------------
  const fromBot = (message) => message.from && state.bot && message.from.id === state.bot.id;
  const unitKey = (message) => (message.media_group_id ? `g${message.media_group_id}` : `m${message.message_id}`);
  const FILE_KINDS = ["document", "animation", "video", "audio", "voice"];

  const fileUrl = (fileId, download) => `api/files/${encodeURIComponent(fileId)}${download ? "?download=1" : ""}`;

  function photoNode(chat, message) {
    const largest = message.photo[message.photo.length - 1];
    const img = el("img", {
      testid: "photo", src: fileUrl(largest.file_id), alt: message.caption || T.photo, loading: "lazy",
      width: largest.width, height: largest.height, dataset: { messageId: message.message_id },
      className: message.has_media_spoiler ? "media-spoiler" : "",
    });
    img.addEventListener("load", () => stickToBottom(chat));
    img.addEventListener("click", (event) => {
      if (img.classList.contains("media-spoiler")) {
        event.preventDefault();
        img.classList.remove("media-spoiler");
      }
    });
    return el("a", { className: "photo", href: fileUrl(largest.file_id), target: "_blank", rel: "noopener" }, img);
  }

  function fileNode(message) {
    const kind = FILE_KINDS.find((k) => message[k]);
    const file = message[kind];
    const name = file.file_name || `${T.file} ${kind}`;
    return el("a", {
      className: "file-chip", testid: "document", href: fileUrl(file.file_id, true), download: name,
      dataset: { messageId: message.message_id, fileName: name },
    },
    el("span", { className: "file-icon", "aria-hidden": "true", text: (name.split(".").pop() || "?").slice(0, 4) }),
    el("span", { className: "file-text" },
      el("span", { className: "file-name", text: name }),
      el("span", { className: "file-size", text: `${formatSize(file.file_size || 0)} · ${T.download}` })));
  }

  function replyQuote(chat, quoted) {
    const author = fromBot(quoted) ? state.bot.first_name : (chat.person.name || T.you);
    const body = quoted.text || quoted.caption || (quoted.photo ? T.photo : T.file);
    return el("div", { className: "reply-quote", testid: "reply-quote" },
      el("strong", { text: author }), el("span", { text: body.length > 90 ? `${body.slice(0, 90)}…` : body }));
  }

  function messageBody(chat, message) {
    const parts = [];
    if (message.photo) parts.push(photoNode(chat, message));
    if (FILE_KINDS.some((k) => message[k])) parts.push(fileNode(message));
    const text = message.text ?? message.caption;
    if (text) {
      const entities = message.text !== undefined ? message.entities : message.caption_entities;
      parts.push(el("div", { className: "text", testid: "message-text" }, formatted(text, entities, chat)));
    }
    const other = Object.keys(T.kinds).find((k) => message[k]);
    if (other) parts.push(el("div", { className: "text note", text: `[${T.kinds[other]}]` }));
    if (!parts.length) parts.push(el("div", { className: "text note", text: `[${T.unsupported}]` }));
    return parts;
  }

  function inlineKeyboard(chat, message) {
    const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
    if (!rows.length) return null;
    return el("div", { className: "inline-keyboard", testid: "inline-keyboard" }, ...rows.map((row) =>
      el("div", { className: "keyboard-row" }, ...row.map((button) => inlineButton(chat, message, button)))));
  }

  function inlineButton(chat, message, button) {
    const common = { className: "inline-button", testid: "inline-button", text: button.text };
    if (button.url !== undefined) {
      const href = safeUrl(button.url);
      return el("a", { ...common, href, target: "_blank", rel: "noopener noreferrer", dataset: { url: button.url } });
    }
    if (button.callback_data !== undefined) {
      const node = el("button", { ...common, type: "button", dataset: { callbackData: button.callback_data } });
      node.addEventListener("click", () => press(chat, message, button.callback_data, node));
      return node;
    }
    if (button.copy_text) {
      return el("button", { ...common, type: "button", onclick: () =>
        navigator.clipboard.writeText(button.copy_text.text).then(() => toast(T.copied), () => {}) });
    }
    return el("button", { ...common, type: "button", disabled: true });
  }

  function buildUnit(chat, members) {
    const first = members[0];
    const who = fromBot(first) ? "bot" : "user";
    const bubble = el("div", { className: "bubble" });
    if (first.reply_to_message) bubble.append(replyQuote(chat, first.reply_to_message));
    if (first.media_group_id) {
      const grid = el("div", { className: `album count-${Math.min(members.length, 4)}`, testid: "album" });
      for (const member of members) {
        grid.append(...messageBody(chat, { ...member, text: undefined, caption: undefined }));
      }
      bubble.append(grid);
      for (const member of members.filter((m) => m.caption)) {
        bubble.append(el("div", { className: "text" }, formatted(member.caption, member.caption_entities, chat)));
      }
    } else {
      bubble.append(...messageBody(chat, first));
    }
    const edited = members.some((m) => m.edit_date);
    const last = members[members.length - 1];
    bubble.append(el("div", { className: "meta" },
      edited ? el("span", { className: "edited", testid: "edited", text: T.edited }) : null,
      el("time", { text: formatTime(last.date) })));
    return el("div", {
      className: `message from-${who}`, testid: "message",
      dataset: { from: who, messageId: first.message_id, mediaGroup: first.media_group_id },
    }, bubble, ...members.map((m) => inlineKeyboard(chat, m)).filter(Boolean));
  }

  /** Draw (again) the message or album ``key``; removes it when it has no messages left. */
  function renderUnit(chat, key) {
    const members = [...chat.messages.values()].filter((m) => unitKey(m) === key)
      .sort((a, b) => a.message_id - b.message_id);
    const old = chat.units.get(key);
    if (!members.length) {
      if (old) old.remove();
      chat.units.delete(key);
      return;
    }
    const node = buildUnit(chat, members);
    node.dataset.order = members[0].message_id;
    chat.units.set(key, node);
    if (old) old.replaceWith(node);
    else {
      const after = [...chat.list.children].find((child) => Number(child.dataset.order) > members[0].message_id);
      chat.list.insertBefore(node, after || null);
    }
    stickToBottom(chat);
  }

  function putMessage(chat, message) {
    const previous = chat.messages.get(message.message_id);
    chat.messages.set(message.message_id, message);
    if (previous && unitKey(previous) !== unitKey(message)) renderUnit(chat, unitKey(previous));
    renderUnit(chat, unitKey(message));
    updatePreview(chat);
  }

  function removeMessage(chat, messageId) {
    const message = chat.messages.get(messageId);
    if (!message) return;
    chat.messages.delete(messageId);
    renderUnit(chat, unitKey(message));
    updatePreview(chat);
  }

  function stickToBottom(chat) {
    if (chat.pinned) chat.list.scrollTop = chat.list.scrollHeight;
  }

  // -- chat panes ----------------------------------------------------------------------------------
  function buildPane(person) {
    const chat = {
      id: person.id, person, messages: new Map(), units: new Map(), pinned: true, unread: 0,
      commands: [], replyKeyboard: null, keyboardHidden: false, loading: null, actionTimer: null,
    };
    chat.list = el("div", { className: "message-list", testid: "message-list" });
    chat.list.addEventListener("scroll", () => {
      chat.pinned = chat.list.scrollHeight - chat.list.scrollTop - chat.list.clientHeight < 48;
    });
    chat.status = el("span", { className: "chat-status", testid: "chat-status", text: person.subtitle });
    chat.replyKeyboardEl = el("div", { className: "reply-keyboard", testid: "reply-keyboard", hidden: true });
    chat.menu = el("div", { className: "command-menu", testid: "command-menu", hidden: true });
    chat.menuButton = el("button", { type: "button", className: "menu-button", testid: "composer-menu",
      text: T.menu, hidden: true, onclick: () => toggleMenu(chat) });
    chat.keyboardButton = el("button", { type: "button", className: "keyboard-button", testid: "keyboard-toggle",
      text: T.keyboard, hidden: true, onclick: () => { chat.keyboardHidden = !chat.keyboardHidden; drawReplyKeyboard(chat); } });
    chat.text = el("textarea", { className: "composer-text", testid: "composer-text", rows: "1",
      placeholder: T.placeholder, "aria-label": T.placeholder });
    chat.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitText(chat);
      } else if (event.key === "Escape") chat.menu.hidden = true;
    });
    chat.text.addEventListener("input", () => {
      chat.text.style.height = "auto";
      chat.text.style.height = `${Math.min(chat.text.scrollHeight, 160)}px`;
      drawMenu(chat, /^\/\w*$/.test(chat.text.value) ? chat.text.value.slice(1) : null);
    });
    chat.file = el("input", { type: "file", className: "visually-hidden", testid: "composer-file",
      "aria-label": T.attach, onchange: () => uploadFiles(chat) });
    const attach = el("label", { className: "attach-button", testid: "composer-attach", title: T.attachHint },
      el("span", { text: T.attach }), chat.file);
    const send = el("button", { type: "submit", className: "send-button", testid: "composer-send", text: T.send });
    const composer = el("form", { className: "composer", testid: "composer" },
      chat.menuButton, attach, chat.text, chat.keyboardButton, send);
    composer.addEventListener("submit", (event) => { event.preventDefault(); submitText(chat); });
    const header = el("header", { className: "chat-head" },
      el("button", { type: "button", className: "back-button", testid: "back", text: `‹ ${T.back}`,
        onclick: () => { document.body.classList.remove("in-chat"); drawPanes(); } }),
      el("span", { className: "avatar", text: initials(person.name), dataset: { hue: person.id % 8 } }),
      el("div", { className: "chat-title", title: `${person.name} · ${person.subtitle}` },
        el("strong", { text: person.name }), chat.status));
    chat.el = el("section", { className: "chat", testid: `chat-${person.id}`, hidden: true,
      dataset: { personId: person.id }, onpointerdown: () => focusPane(chat.id) },
    header, chat.list, chat.menu, chat.replyKeyboardEl, composer);
    $(".chats").append(chat.el);
    return chat;
  }

  function drawReplyKeyboard(chat) {
    const keyboard = chat.replyKeyboard;
    chat.keyboardButton.hidden = !keyboard;
    chat.replyKeyboardEl.hidden = !keyboard || chat.keyboardHidden;
    chat.replyKeyboardEl.replaceChildren();
    if (!keyboard) return;
    for (const row of keyboard.keyboard) {
      chat.replyKeyboardEl.append(el("div", { className: "keyboard-row" }, ...row.map((button) => {
        const label = typeof button === "string" ? button : button.text;
        return el("button", { type: "button", className: "reply-button", testid: "reply-button", text: label,
          onclick: () => {
            if (keyboard.one_time_keyboard) { chat.keyboardHidden = true; drawReplyKeyboard(chat); }
            sendText(chat, label);
          } });
      })));
    }
  }

  function setReplyKeyboard(chat, keyboard) {
    if (JSON.stringify(keyboard || null) === JSON.stringify(chat.replyKeyboard)) return;
    chat.replyKeyboard = keyboard || null;
    chat.keyboardHidden = false;
    drawReplyKeyboard(chat);
  }

  function drawMenu(chat, filter) {
    const shown = filter === null ? [] : chat.commands.filter((c) => c.command.startsWith(filter.toLowerCase()));
    chat.menu.replaceChildren(...shown.map((command) => el("button", {
      type: "button", className: "command-item", testid: "command-item", dataset: { command: command.command },
      onclick: () => { chat.menu.hidden = true; chat.text.value = ""; sendText(chat, `/${command.command}`); },
    }, el("strong", { text: `/${command.command}` }), el("span", { text: command.description }))));
    chat.menu.hidden = !shown.length;
  }

  function toggleMenu(chat) {
    if (!chat.menu.hidden) { chat.menu.hidden = true; return; }
    drawMenu(chat, "");
    if (!chat.commands.length) toast(T.noCommands);
  }

  function setCommands(chat, commands) {
    chat.commands = commands || [];
    chat.menuButton.hidden = !chat.commands.length;
    if (!chat.menu.hidden) drawMenu(chat, "");
  }

  function showAction(chat, action) {
    chat.status.textContent = T.actions[action] || T.actions.other;
    chat.status.classList.add("active");
    clearTimeout(chat.actionTimer);
    chat.actionTimer = setTimeout(() => clearAction(chat), ACTION_SHOWN_MS);
  }

  function clearAction(chat) {
    clearTimeout(chat.actionTimer);
    chat.status.textContent = chat.person.subtitle;
    chat.status.classList.remove("active");
  }

  // -- acting as the person -------------------------------------------------------------------------
  /** Send ``text`` as the person; false (after telling why) when it did not go out. */
  async function sendText(chat, text) {
    if (!text.trim()) return false;
    chat.pinned = true;
    try {
      const body = await api(`api/chats/${chat.id}/messages`, { method: "POST", json: { text } });
      putMessage(chat, body.message);
      return true;
    } catch (error) {
      toast(errorText(error));
      return false;
    }
  }

  function submitText(chat) {
    const text = chat.text.value;
    if (!text.trim()) return;
    chat.text.value = "";
    chat.menu.hidden = true;
    chat.text.dispatchEvent(new Event("input"));
    sendText(chat, text).then((sent) => { if (!sent && !chat.text.value) chat.text.value = text; });
  }

  async function uploadFiles(chat) {
    const files = [...chat.file.files];
    chat.file.value = "";
    const caption = chat.text.value.trim();
    chat.text.value = "";
    chat.pinned = true;
    for (const [index, file] of files.entries()) {
      const form = new FormData();
      form.append("file", file, file.name);
      if (caption && index === 0) form.append("caption", caption);
      toast(`${T.uploading} ${file.name}`);
      try {
        const body = await api(`api/chats/${chat.id}/files`, { method: "POST", body: form });
        putMessage(chat, body.message);
      } catch (error) {
        toast(errorText(error));
      }
    }
  }

  async function press(chat, message, callbackData, node) {
    node.classList.add("pending");
    setTimeout(() => node.classList.remove("pending"), PENDING_BUTTON_MS);
    try {
      await api(`api/chats/${chat.id}/press`, { method: "POST",
        json: { message_id: message.message_id, callback_data: callbackData } });
    } catch (error) {
      node.classList.remove("pending");
      toast(errorText(error));
    }
  }

  function onCallbackAnswer(chat, event) {
    const unit = chat.units.get(unitKey(chat.messages.get(event.message_id) || { message_id: event.message_id }));
    if (unit) unit.querySelectorAll(".pending").forEach((node) => node.classList.remove("pending"));
    if (event.text) (event.show_alert ? showAlert : toast)(event.text);
    const url = event.url && safeUrl(event.url);
    if (url && url.startsWith("http")) window.open(url, "_blank", "noopener");
  }

  // -- people and panes ------------------------------------------------------------------------------
  function buildPerson(person) {
    const chat = state.chats.get(person.id);
    chat.badge = el("span", { className: "unread", testid: "unread", hidden: true });
    chat.preview = el("span", { className: "person-preview", testid: "person-preview" });
    chat.entry = el("button", { type: "button", className: "person", testid: `person-${person.id}`,
      dataset: { personId: person.id }, onclick: () => openChat(person.id) },
    el("span", { className: "avatar", text: initials(person.name), dataset: { hue: person.id % 8 } }),
    el("span", { className: "person-text" },
      el("strong", { className: "person-name", text: person.name }),
      el("span", { className: "person-subtitle", text: person.subtitle }), chat.preview),
    chat.badge);
    return chat.entry;
  }

  function updatePreview(chat) {
    const ids = [...chat.messages.keys()];
    const last = ids.length ? chat.messages.get(Math.max(...ids)) : null;
    const text = last ? (last.text || last.caption || (last.photo ? T.photo : T.file)) : "";
    chat.preview.textContent = last && !fromBot(last) ? `${T.you}: ${text}` : text;
  }

  function setUnread(chat, count) {
    chat.unread = count;
    chat.badge.hidden = !count;
    chat.badge.textContent = count > 99 ? "99+" : String(count);
    const total = [...state.chats.values()].reduce((sum, c) => sum + c.unread, 0);
    document.title = total ? `(${total}) ${T.title}` : T.title;
  }

  /** Whether the person would see new messages of this chat right now (else they count as unread). */
  function isShown(chatId) {
    const index = state.panes.indexOf(chatId);
    if (document.hidden || index < 0) return false;
    if (!window.matchMedia(WIDE_LAYOUT).matches) {
      return index === state.focused && document.body.classList.contains("in-chat");
    }
    return index === state.focused || (state.split && window.matchMedia(WIDE_ENOUGH_FOR_TWO).matches);
  }

  function drawPanes() {
    const two = state.split && state.panes.length > 1;
    $(".chats").classList.toggle("split", two);
    for (const chat of state.chats.values()) {
      const index = state.panes.indexOf(chat.id);
      chat.el.hidden = index < 0;
      chat.el.style.order = String(index);
      chat.el.classList.toggle("focused", index === state.focused);
      chat.entry.classList.toggle("active", index >= 0);
      if (index === state.focused) chat.entry.setAttribute("aria-current", "true");
      else chat.entry.removeAttribute("aria-current");
      if (isShown(chat.id)) setUnread(chat, 0);
      if (index >= 0) stickToBottom(chat);
    }
    $("[data-testid=empty-state]").hidden = state.panes.length > 0;
    const toggle = $("[data-testid=split-toggle]");
    toggle.textContent = state.split ? T.single : T.split;
    toggle.setAttribute("aria-pressed", String(state.split));
  }

  function focusPane(chatId) {
    const index = state.panes.indexOf(chatId);
    if (index >= 0 && index !== state.focused) { state.focused = index; drawPanes(); }
  }

  function openChat(chatId) {
    if (state.panes.includes(chatId)) state.focused = state.panes.indexOf(chatId);
    else if (!state.panes.length) state.panes = [chatId];
    else state.panes[state.focused] = chatId;
    document.body.classList.add("in-chat");
    drawPanes();
    const chat = state.chats.get(chatId);
    chat.pinned = true;
    stickToBottom(chat);
    if (window.matchMedia("(pointer: fine)").matches) chat.text.focus();
  }

  function toggleSplit() {
    state.split = !state.split;
    if (state.split && state.panes.length === 1) {
      const other = state.people.find((p) => p.id !== state.panes[0]);
      if (other) state.panes.push(other.id);
    } else if (!state.split) {
      state.panes = state.panes.length ? [state.panes[state.focused] ?? state.panes[0]] : [];
      state.focused = 0;
    }
    drawPanes();
  }

  // -- loading and live events ------------------------------------------------------------------------
  async function loadChat(chat) {
    chat.loading = [];
    try {
      const view = await api(`api/chats/${chat.id}`);
      chat.messages = new Map(view.messages.map((m) => [m.message_id, m]));
      chat.units.forEach((node) => node.remove());
      chat.units.clear();
      for (const key of new Set(view.messages.map(unitKey))) renderUnit(chat, key);
      setReplyKeyboard(chat, view.reply_keyboard);
      setCommands(chat, view.commands);
      updatePreview(chat);
      const missed = chat.loading;
      chat.loading = null;
      missed.forEach((event) => applyEvent(chat, event, false)); // events that crossed the snapshot
    } catch (error) {
      chat.loading = null;
      toast(errorText(error));
    }
  }

  function applyEvent(chat, event, live) {
    if (event.type === "message") {
      putMessage(chat, event.message);
      setReplyKeyboard(chat, event.reply_keyboard);
      if (live && fromBot(event.message)) {
        clearAction(chat);
        if (!isShown(chat.id)) setUnread(chat, chat.unread + 1);
      }
    } else if (event.type === "edited") putMessage(chat, event.message);
    else if (event.type === "deleted") removeMessage(chat, event.message_id);
    else if (event.type === "commands") setCommands(chat, event.commands);
    else if (event.type === "chat_action" && live) showAction(chat, event.action);
    else if (event.type === "callback_answer" && live) onCallbackAnswer(chat, event);
  }

  function setConnection(status) {
    const node = $("[data-testid=connection]");
    node.dataset.state = status;
    node.title = T.connection[status];
    node.textContent = T.connection[status];
  }

  function connect() {
    const source = new EventSource("api/events");
    source.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "ready") {
        setConnection("open");
        state.chats.forEach((chat) => loadChat(chat)); // catch up on whatever happened while away
        return;
      }
      const chat = state.chats.get(event.chat_id);
      if (!chat) return;
      if (chat.loading) chat.loading.push(event);
      applyEvent(chat, event, true);
    });
    source.addEventListener("error", () => setConnection("closed"));
  }

  async function start() {
    document.title = T.title;
    $("[data-testid=people-hint]").textContent = T.peopleHint;
    $("[data-testid=empty-state]").textContent = T.pickPerson;
    $("[data-testid=split-toggle]").addEventListener("click", toggleSplit);
    $("[data-testid=alert-ok]").addEventListener("click", () => { $("[data-testid=alert-backdrop]").hidden = true; });
    document.addEventListener("visibilitychange", () => { if (!document.hidden) drawPanes(); });
    window.matchMedia(WIDE_ENOUGH_FOR_TWO).addEventListener("change", drawPanes);
    setConnection("connecting");
    let directory;
    try {
      directory = await api("api/people");
    } catch (error) {
      toast(errorText(error));
      return;
    }
    state.bot = directory.bot;
    state.people = directory.people;
    $("[data-testid=bot-name]").textContent = state.bot.first_name;
    for (const person of state.people) state.chats.set(person.id, buildPane(person));
    $(".people-list").append(...state.people.map(buildPerson));
    drawPanes();
    if (state.chats.has(directory.start)) {
      openChat(directory.start); // the person the sandbox's story starts with, on any screen
    } else if (window.matchMedia(WIDE_LAYOUT).matches && state.people.length) {
      openChat(state.people[0].id);
    }
    connect();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
