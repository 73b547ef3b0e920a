/** Entry of the web inspector bundle (built by esbuild into /ui/app.js). */
import { render } from "preact";
import { App } from "./App.js";
import { applySavedTheme } from "./components.js";
import "./styles.css";

applySavedTheme();
render(<App />, document.getElementById("app")!);
