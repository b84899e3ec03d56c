// Connects to fhirlake with node-postgres (pg) and postgres.js over TLS
// with SCRAM (connection settings from the PG* environment variables),
// introspects, queries the views and prints one line per check.
import pg from 'pg';
import postgres from 'postgres';

const env = process.env;
const cfg = {
  host: env.PGHOST, port: Number(env.PGPORT), user: env.PGUSER, password: env.PGPASSWORD,
  database: env.PGDATABASE,
};

async function nodePg() {
  const c = new pg.Client({ ...cfg, ssl: { rejectUnauthorized: false } });
  await c.connect();
  const tables = await c.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1");
  console.log('pg tables', tables.rows.map((r) => r.table_name).includes('patient'));
  const n = await c.query('SELECT count(*) AS n FROM patient');
  console.log('pg patients', n.rows[0].n);
  const p = await c.query('SELECT id, birth_date FROM patient WHERE id = $1', [
    (await c.query('SELECT min(id) AS id FROM patient')).rows[0].id]);
  console.log('pg prepared', p.rows.length, p.rows[0].birth_date instanceof Date);
  const o = await c.query({ text: 'SELECT count(*)::int AS n FROM observation WHERE patient_id IS NOT NULL', rowMode: 'array' });
  console.log('pg observations', o.rows[0][0] > 0);
  await c.end();
}

async function postgresJs() {
  const sql = postgres({ ...cfg, username: cfg.user, ssl: 'require', max: 1 });
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM patient`;
  console.log('postgres.js patients', n);
  const gender = 'female';
  const rows = await sql`SELECT id, gender FROM patient WHERE gender = ${gender} LIMIT 3`;
  console.log('postgres.js param', rows.every((r) => r.gender === 'female'));
  const cols = await sql`SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'patient' AND column_name = 'birth_date'`;
  console.log('postgres.js udt', cols[0].udt_name);
  await sql.end();
}

await nodePg();
await postgresJs();
