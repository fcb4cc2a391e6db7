// The article form's live preview: a pane showing the article as readers would see it
// (the site's own article page, rendered by the admin's preview view from the unsaved
// form), refreshed each time autosave keeps the text (static/js/autosave.js sends
// "article:autosaved"). Nothing is stored by the preview. Without JavaScript the
// Preview button under the form does the same in a new tab.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("article_form")
  const pane = document.querySelector(".live-preview")
  if (!form || !pane) return
  const frame = pane.querySelector("iframe")
  const status = pane.querySelector(".live-preview__status")
  const toggle = pane.querySelector(".live-preview__toggle")
  let busy = false

  async function refresh() {
    if (busy || pane.dataset.open !== "1") return
    busy = true
    const data = new FormData(form)
    try {
      const response = await fetch(pane.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      })
      if (!response.ok) throw new Error(response.status)
      // Links inside the preview open in a new tab, never inside the pane.
      const html = await response.text()
      frame.srcdoc = html.replace(/<head>/i, '<head><base target="_blank">')
      status.textContent = `Updated at ${new Date().toLocaleTimeString()}`
    } catch {
      status.textContent = "The preview could not be refreshed; your text is still here."
    } finally {
      busy = false
    }
  }

  function show(open) {
    pane.dataset.open = open ? "1" : ""
    frame.hidden = !open
    toggle.setAttribute("aria-expanded", open ? "true" : "false")
    toggle.textContent = open ? "Hide the live preview" : "Show the live preview"
    if (open) refresh()
  }

  toggle.hidden = false
  toggle.addEventListener("click", () => show(pane.dataset.open !== "1"))
  form.addEventListener("article:autosaved", refresh)
  show(window.matchMedia("(min-width: 1024px)").matches)
})
