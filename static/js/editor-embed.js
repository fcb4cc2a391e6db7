// The rich text editor's embed block: a URL kept as a plain link card. Readers get the
// host name and address as a link (articles/body.py); no third-party script or frame.
import { Node, updateAttrsDialog } from "django-prose-editor/editor"

const askForUrl = updateAttrsDialog(
  {
    url: {
      type: "string",
      format: "url",
      title: "Address of the page",
      description: "Shown to readers as a link card.",
      required: true,
    },
  },
  { title: "Embed a link", submitText: "Insert" },
)

export const Embed = Node.create({
  name: "embed",
  group: "block",
  atom: true,
  draggable: true,

  addAttributes() {
    return {
      url: {
        default: "",
        parseHTML: (el) => el.querySelector("a")?.getAttribute("href") || "",
        renderHTML: () => ({}),
      },
    }
  },

  parseHTML() {
    return [{ tag: "div.embed" }]
  },

  renderHTML({ node }) {
    return ["div", { class: "embed" }, ["a", { href: node.attrs.url }, node.attrs.url]]
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      button: buttons.material("public", "Embed a link card"),
      command(editor) {
        askForUrl(editor, { url: "" }).then((attrs) => {
          const url = attrs?.url?.trim()
          if (url && /^https?:\/\//i.test(url)) {
            // After the current top-level block: never inside (or instead of) a figure.
            const { $to } = editor.state.selection
            const at = $to.depth ? $to.after(1) : $to.pos
            editor.chain().focus().insertContentAt(at, { type: "embed", attrs: { url } }).run()
          }
        })
      },
      enabled: (editor) => editor.isEditable,
    })
  },
})
