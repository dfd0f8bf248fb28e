// Builds DOM nodes. User data only ever becomes text nodes or attribute values: nothing is parsed as HTML.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style") Object.assign(el.style, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function initials(name) {
  return (name ?? "?").split(/\s+/).map(w => w.replace(/[^\p{L}]/gu, "")).filter(Boolean).slice(0, 2).map(w => w[0].toUpperCase()).join("") || "?";
}

// A stable, pleasant colour per user id, for avatars.
export function hue(id) {
  let x = 0;
  for (const c of String(id)) x = (x * 31 + c.charCodeAt(0)) % 360;
  return x;
}

export function avatar(person, size = "") {
  const el = h("span", { class: `avatar ${size}`, "aria-hidden": "true", text: initials(person?.name) });
  el.style.background = `hsl(${hue(person?.id ?? "?")} 55% 88%)`;
  el.style.color = `hsl(${hue(person?.id ?? "?")} 45% 28%)`;
  return el;
}
