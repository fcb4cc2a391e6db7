// Character counters for fields marked data-count-to (headline, summary, social fields):
// "42 / 90 characters", turning red past the length search and social cards show.
document.addEventListener("DOMContentLoaded", () => {
  for (const field of document.querySelectorAll("[data-count-to]")) {
    const limit = Number(field.dataset.countTo)
    const counter = document.createElement("span")
    counter.className = "char-count"
    counter.id = `${field.id}-count`
    counter.setAttribute("aria-live", "polite")
    field.after(counter)
    const describedBy = field.getAttribute("aria-describedby")
    field.setAttribute("aria-describedby", `${describedBy ? `${describedBy} ` : ""}${counter.id}`)
    const update = () => {
      const n = field.value.length
      counter.textContent = `${n} / ${limit} characters`
      counter.classList.toggle("char-count--over", n > limit)
    }
    field.addEventListener("input", update)
    update()
  }
})
