// The library picker, opened by the rich text editor's figure dialog: a choice is sent
// back through the CKEditor-style callback django-prose-editor listens to, then the
// window closes.
document.addEventListener("click", (event) => {
  const choice = event.target.closest(".picker-choice")
  const grid = document.querySelector(".picker-grid")
  if (!choice || !grid || !window.opener) return
  const { url, id, alt, caption } = choice.dataset
  // Plain values only: nothing from this window is kept by the opener after it closes.
  window.opener.CKEDITOR.tools.callFunction(Number(grid.dataset.func), String(url), {
    id: Number(id),
    alternative_text: String(alt),
    caption: String(caption),
  })
  window.close()
})
