/** Nest injection tokens of the values main.ts hands the module (classes inject by type). */
export const IDENTITY_LOGGER = Symbol('IDENTITY_LOGGER');
export const TOKEN_SETTINGS = Symbol('TOKEN_SETTINGS');
