// Autosave for the article form: every few seconds, if the text changed, post the form's
// words to the admin's autosave view (articles/admin_views.py). The rich text editor
// writes into its textarea without events, so the values are compared on each tick.
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector(".autosave-status")
  const form = document.getElementById("article_form")
  if (!status || !form) return
  const FIELDS = ["title", "slug", "summary", "body", "byline", "social_title", "social_description"]
  const EVERY_MS = 5000
  const snapshot = () =>
    JSON.stringify(FIELDS.map((name) => form.elements[name]?.value ?? null))
  let last = snapshot()
  let busy = false

  async function save() {
    const now = snapshot()
    if (busy || now === last) return
    busy = true
    const data = new FormData()
    for (const name of FIELDS) {
      if (form.elements[name]) data.append(name, form.elements[name].value)
    }
    const token = form.elements.csrfmiddlewaretoken.value
    data.append("csrfmiddlewaretoken", token)
    const articleId = form.elements._preview_of?.value
    if (articleId) data.append("_preview_of", articleId)
    try {
      const response = await fetch(status.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token },
      })
      if (!response.ok) throw new Error(response.status)
      const result = await response.json()
      status.textContent = result.label
      last = now
      form.dispatchEvent(new CustomEvent("article:autosaved")) // static/js/live-preview.js
    } catch {
      status.textContent = "Autosave failed; your text is still here. Save to keep it."
    } finally {
      busy = false
    }
  }

  setInterval(save, EVERY_MS)
  window.addEventListener("pagehide", save)
  // Saving for real makes the autosave unnecessary: stop posting.
  form.addEventListener("submit", () => {
    last = snapshot()
  })
})
