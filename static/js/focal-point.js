// The image library's focal point: click the picture and the two focal fields take the
// spot (fractions of width and height, 0-1); a dot shows it. Typing in the fields moves it.
document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector(".focal-picker")
  const x = document.getElementById("id_focal_x")
  const y = document.getElementById("id_focal_y")
  if (!picker || !x || !y) return
  const img = picker.querySelector("img")
  const dot = picker.querySelector(".focal-picker__dot")
  const place = () => {
    dot.style.left = `${Number(x.value) * 100}%`
    dot.style.top = `${Number(y.value) * 100}%`
  }
  img.addEventListener("click", (event) => {
    const box = img.getBoundingClientRect()
    x.value = ((event.clientX - box.left) / box.width).toFixed(3)
    y.value = ((event.clientY - box.top) / box.height).toFixed(3)
    place()
  })
  x.addEventListener("input", place)
  y.addEventListener("input", place)
  place()
})
