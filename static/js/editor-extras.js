// The rich text editor's own settings that django-prose-editor passes no option for.
// Tiptap injects its base CSS as an inline <style>, which the admin's CSP refuses: an
// extension's onBeforeCreate runs before the editor injects it, so it turns that off
// (the same rules are in static/css/admin.css).
import { Extension } from "django-prose-editor/editor"

export const NoInjectedStyles = Extension.create({
  name: "noInjectedStyles",
  onBeforeCreate() {
    this.editor.options.injectCSS = false
  },
})
