import type { Route } from "../route.js";
import { addRoutes } from "./add.js";
import { inspectRoutes } from "./inspect.js";
import { memoryRoutes } from "./memories.js";
import { recallRoute } from "./recall.js";
import { rememberRoute } from "./remember.js";
import { systemRoutes } from "./system.js";
import { userRoutes } from "./users.js";

/**
 * Every route of the HTTP API, in documentation order.
 *
 * @example
 * ```ts
 * for (const r of ROUTES) console.log(r.meta.method.toUpperCase(), r.meta.path);
 * ```
 */
export const ROUTES: Route[] = [rememberRoute, recallRoute, ...memoryRoutes, ...addRoutes, ...userRoutes, ...inspectRoutes, ...systemRoutes];
