import java.sql.*;
import java.util.Properties;

/**
 * pgjdbc against fhirlake over TLS with SCRAM: DatabaseMetaData and a
 * PreparedStatement run ten times (pgjdbc switches to a named server
 * statement at the 5th run and to binary results after it). Connection
 * settings come from the PG* environment variables. Prints one line per
 * check.
 */
public class Clients {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/" + System.getenv("PGDATABASE");
        Properties p = new Properties();
        p.setProperty("user", System.getenv("PGUSER"));
        p.setProperty("password", System.getenv("PGPASSWORD"));
        p.setProperty("sslmode", "require");
        try (Connection c = DriverManager.getConnection(url, p)) {
            DatabaseMetaData md = c.getMetaData();
            boolean patient = false;
            try (ResultSet rs = md.getTables(null, null, "%", new String[]{"TABLE"})) {
                while (rs.next()) patient |= rs.getString("TABLE_NAME").equals("patient");
            }
            System.out.println("getTables " + patient);
            String birth = null;
            String mrnRemarks = null;
            try (ResultSet rs = md.getColumns(null, null, "patient", "%")) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME").equals("birth_date")) birth = rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE");
                    if (rs.getString("COLUMN_NAME").equals("mrn")) mrnRemarks = rs.getString("REMARKS");
                }
            }
            System.out.println("getColumns " + birth + " " + mrnRemarks);
            int types = 0;
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) types++;
            }
            System.out.println("getTypeInfo " + (types > 10));
            long total = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*), min(birth_date) FROM patient WHERE gender = ?")) {
                for (int i = 0; i < 10; i++) {
                    ps.setString(1, i % 2 == 0 ? "female" : "male");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total += rs.getLong(1);
                        rs.getDate(2);
                    }
                }
            }
            System.out.println("prepared10 " + total);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM observation")) {
                rs.next();
                System.out.println("observations " + (rs.getLong(1) > 0));
            }
        }
    }
}
