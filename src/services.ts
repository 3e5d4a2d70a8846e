import { MODULES } from "./modules";
import type { ServiceDeps } from "./modules/module";

/**
 * The application's services, created once per process; requests pass their
 * context in. Each module adds its own to this interface (in its manifest file).
 */
export interface Services {}

/** Builds every module's services in registration order; `deps.caches` carries cache invalidations to every instance. */
export function createServices(deps: ServiceDeps): Services {
  const built = {} as Services;
  for (const module of MODULES) Object.assign(built, module.services?.(deps, built));
  return built;
}
