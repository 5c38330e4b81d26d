import { templateDir, prepareTemplate } from './pglite-template';

/** Migrates one PGlite data directory per migration set; each test file copies it (initdb costs ~5 s). */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) return;
  await prepareTemplate(templateDir());
}
