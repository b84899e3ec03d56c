"""Python clients against fhirlake: psycopg2, psycopg 3 (text and binary),
SQLAlchemy reflection and pandas.read_sql. Connection settings come from
the PG* environment variables (TLS, SCRAM). Prints one line per check."""
import os
import sys

which = sys.argv[1]
os.environ["PGPASSWORD_URL"] = os.environ["PGPASSWORD"].replace(" ", "%20")
dsn = "host={PGHOST} port={PGPORT} dbname={PGDATABASE} user={PGUSER} password='{PGPASSWORD}' sslmode=require".format(**os.environ)
url = "postgresql+psycopg2://{PGUSER}:{PGPASSWORD_URL}@{PGHOST}:{PGPORT}/{PGDATABASE}?sslmode=require".format(**os.environ)

if which == "psycopg2":
    import psycopg2
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM patient")
    print("patients", cur.fetchone()[0])
    cur.execute("SELECT id, birth_date FROM patient WHERE gender = %s ORDER BY id LIMIT 2", ("female",))
    rows = cur.fetchall()
    print("dates", all(type(r[1]).__name__ in ("date", "NoneType") for r in rows))
    cur.execute("SELECT col_description('patient'::regclass, a.attnum) FROM pg_attribute a WHERE a.attrelid = 'patient'::regclass AND a.attname = 'mrn'")
    print("description", cur.fetchone()[0])
    cur.execute("SELECT count(*) FROM observation")
    print("observations", cur.fetchone()[0] > 0)
    conn.close()
elif which == "psycopg":
    import psycopg
    with psycopg.connect(dsn) as conn:
        print("patients", conn.execute("SELECT count(*) FROM patient").fetchone()[0])
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT count(*), min(birth_date) FROM patient WHERE gender = %s", ("female",))
            n, d = cur.fetchone()
            print("binary", isinstance(n, int), type(d).__name__)
        info = psycopg.types.TypeInfo.fetch(conn, "text")
        print("typeinfo", info.oid, info.array_oid)
        print("observations", conn.execute("SELECT count(*) FROM observation").fetchone()[0] > 0)
elif which == "sqlalchemy":
    import sqlalchemy
    import pandas
    engine = sqlalchemy.create_engine(url)
    insp = sqlalchemy.inspect(engine)
    print("tables", "patient" in insp.get_table_names(), "observation" in insp.get_table_names())
    cols = {c["name"]: c for c in insp.get_columns("patient")}
    print("columns", type(cols["birth_date"]["type"]).__name__, cols["mrn"].get("comment"))
    print("table comment", insp.get_table_comment("patient").get("text"))
    df = pandas.read_sql("SELECT id, gender, birth_date FROM patient ORDER BY id", engine)
    print("pandas", len(df), list(df.columns))
    df = pandas.read_sql(sqlalchemy.text("SELECT count(*) AS n FROM observation"), engine)
    print("pandas observations", int(df["n"][0]) > 0)
