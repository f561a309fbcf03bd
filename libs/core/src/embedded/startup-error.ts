/** A reason Strata cannot start that the user can fix; printed as one line, without a stack. */
export class StartupError extends Error {}
