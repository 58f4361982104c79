package example;

import java.security.MessageDigest;
import java.sql.*;
import javax.crypto.Cipher;
import javax.net.ssl.*;
import javax.servlet.http.*;
import javax.xml.parsers.*;

class Commands {
    void run(String input, String[] cmd) throws Exception {
        // ruleid: java.command-injection
        Runtime.getRuntime().exec("/bin/sh -c some_tool " + input);
        // ruleid: java.command-injection
        Runtime.getRuntime().exec(String.format("convert %s out.png", input));
        // ruleid: java.command-injection
        new ProcessBuilder("bash", "-c", input).start();
        // ruleid: java.command-injection
        Runtime.getRuntime().exec(new String[]{"/bin/sh", "-c", input});
        // ok: java.command-injection
        Runtime.getRuntime().exec("ls -la");
        // ok: java.command-injection
        new ProcessBuilder("bash", "-c", "ls").start();
        // ok: java.command-injection
        new ProcessBuilder("convert", input, "out.png").start();
        // ruleid: java.command-injection-dynamic
        Runtime.getRuntime().exec(cmd);
        // ok: java.command-injection-dynamic
        Runtime.getRuntime().exec("uptime");
    }
}

class Queries {
    void query(Connection conn, String name, HttpServletRequest request) throws Exception {
        Statement stmt = conn.createStatement();
        // ruleid: java.sql-injection
        ResultSet rs = stmt.executeQuery("select * from Users where name = '" + name + "'");
        // ruleid: java.sql-injection
        stmt.executeUpdate(String.format("delete from Users where name = '%s'", name));
        String sql = "SELECT * FROM orders WHERE id = " + request.getParameter("id");
        // ruleid: java.sql-injection
        stmt.execute(sql);
        // ruleid: java.sql-injection
        em.createQuery("FROM User u WHERE u.name = '" + name + "'").getResultList();
        // ok: java.sql-injection
        ResultSet rs2 = stmt.executeQuery("select * from Users where name = '123'");
        // ok: java.sql-injection
        PreparedStatement ps = conn.prepareStatement("select * from Users where name = ?");
        // ok: java.sql-injection
        executor.execute(task);
    }

    void nonconstant(Statement stmt, String sql) throws Exception {
        // ruleid: java.sql-injection-nonconstant
        stmt.executeQuery(sql);
        // ok: java.sql-injection-nonconstant
        stmt.executeQuery("SELECT 1");
        // ruleid: java.sql-injection-nonconstant
        jdbcTemplate.queryForList(sql);
        // ok: java.sql-injection-nonconstant
        jdbcTemplate.queryForList("SELECT * FROM users WHERE id = ?", id);
        String fixed = "SELECT * FROM users";
        // ok: java.sql-injection-nonconstant
        jdbcTemplate.queryForList(fixed);
    }
}

class Scripts {
    void eval(String code, javax.script.ScriptEngine engine) throws Exception {
        // ruleid: java.code-injection
        engine.eval(code);
        // ok: java.code-injection
        engine.eval("1 + 1");
        // ruleid: java.code-injection
        new groovy.lang.GroovyShell().evaluate(code);
        // ruleid: java.code-injection
        Expression exp = parser.parseExpression(code);
        // ok: java.code-injection
        Expression exp2 = parser.parseExpression("'Hello World'.concat('!')");
    }
}

class Deserialize {
    Object read(java.io.InputStream in) throws Exception {
        // ruleid: java.unsafe-deserialization
        java.io.ObjectInputStream ois = new ObjectInputStream(in);
        // ruleid: java.unsafe-deserialization
        mapper.enableDefaultTyping();
        // ruleid: java.unsafe-deserialization
        Yaml yaml = new Yaml();
        // ok: java.unsafe-deserialization
        Yaml safe = new Yaml(new SafeConstructor(new LoaderOptions()));
        // ok: java.unsafe-deserialization
        java.io.DataInputStream dis = new DataInputStream(in);
        return ois.readObject();
    }
}

class Crypto {
    void hash() throws Exception {
        // ruleid: java.weak-hash
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        // ruleid: java.weak-hash
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        // ok: java.weak-hash
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        // ruleid: java.weak-hash-helper
        String h = DigestUtils.md5Hex(data);
        // ok: java.weak-hash-helper
        String h2 = DigestUtils.sha256Hex(data);
        // ruleid: java.weak-cipher
        Cipher des = Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ruleid: java.weak-cipher
        Cipher ecb = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ruleid: java.weak-cipher
        Cipher bare = Cipher.getInstance("AES");
        // ok: java.weak-cipher
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        // ok: java.weak-cipher
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        // ruleid: java.rsa-no-padding
        Cipher raw = Cipher.getInstance("RSA/NONE/NoPadding");
        // ok: java.rsa-no-padding
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        // ruleid: java.weak-ssl-context
        SSLContext ctx = SSLContext.getInstance("SSLv3");
        // ok: java.weak-ssl-context
        SSLContext ctx2 = SSLContext.getInstance("TLSv1.3");
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        // ruleid: java.weak-rsa-key
        kpg.initialize(1024);
        KeyPairGenerator kpg2 = KeyPairGenerator.getInstance("RSA");
        // ok: java.weak-rsa-key
        kpg2.initialize(3072);
        // ruleid: java.jwt-none-algorithm
        String token = JWT.create().withIssuer("auth0").sign(Algorithm.none());
        // ok: java.jwt-none-algorithm
        String token2 = JWT.create().withIssuer("auth0").sign(Algorithm.HMAC256(secret));
        // ruleid: java.default-http-client
        HttpClient client = new DefaultHttpClient();
        // ok: java.default-http-client
        HttpClient client2 = HttpClients.createDefault();
    }

    void ivs(SecretKeySpec key) throws Exception {
        // ruleid: java.static-iv
        byte[] iv = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        // ruleid: java.static-iv
        IvParameterSpec spec = new IvParameterSpec("0123456789abcdef".getBytes());
        // ok: java.static-iv
        byte[] fresh = new byte[16];
        new SecureRandom().nextBytes(fresh);
        // ok: java.static-iv
        IvParameterSpec good = new IvParameterSpec(fresh);
    }

    String tokens() {
        // ruleid: java.insecure-random
        String sessionToken = Long.toHexString(new Random().nextLong());
        // ok: java.insecure-random
        String resetToken = Long.toHexString(new SecureRandom().nextLong());
        // ok: java.insecure-random
        int jitter = new Random().nextInt(100);
        return sessionToken + resetToken + jitter;
    }
}

class TrustAll implements X509TrustManager {
    // ruleid: java.tls-trust-all-certificates
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // trust everyone
    }

    // ok: java.tls-trust-all-certificates
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
}

class Verifiers {
    // ruleid: java.tls-hostname-verifier-accept-all
    public boolean verify(String hostname, SSLSession session) {
        return true;
    }

    void setup(HttpsURLConnection conn) {
        // ruleid: java.tls-hostname-verifier-accept-all
        conn.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
        // ok: java.tls-hostname-verifier-accept-all
        conn.setHostnameVerifier(new DefaultHostnameVerifier());
    }
}

class UnsafeXml {
    void parse(java.io.InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        // ruleid: java.xxe
        DocumentBuilder db = dbf.newDocumentBuilder();
    }
}

class UnsafeStax {
    void read(java.io.InputStream in) throws Exception {
        // ruleid: java.xxe
        XMLInputFactory factory = XMLInputFactory.newFactory();
        XMLStreamReader reader = factory.createXMLStreamReader(in);
    }
}

class SafeStax {
    void read(java.io.InputStream in) throws Exception {
        // ok: java.xxe
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XMLStreamReader reader = factory.createXMLStreamReader(in);
    }
}

class ReenabledXml {
    void configure(SAXParserFactory spf) throws Exception {
        // ruleid: java.xxe-feature-enabled
        spf.setFeature("http://xml.org/sax/features/external-general-entities", true);
    }
}

class SafeXml {
    void parse(java.io.InputStream in) throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // ok: java.xxe
        DocumentBuilder db = dbf.newDocumentBuilder();
        // ok: java.xxe-feature-enabled
        dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
    }
}

class Web {
    void handle(HttpServletRequest req, HttpServletResponse resp, String next) throws Exception {
        // ruleid: java.open-redirect
        resp.sendRedirect(req.getParameter("next"));
        // ok: java.open-redirect
        resp.sendRedirect("/home");
        // ruleid: java.open-redirect-parameter
        resp.sendRedirect(next);
        // ok: java.open-redirect-parameter
        resp.sendRedirect(req.getContextPath() + "/login");
        // ruleid: java.path-traversal
        java.io.File f = new java.io.File("/var/data/" + req.getParameter("file"));
        // ok: java.path-traversal
        java.io.File g = new java.io.File("/var/data/static.txt");
        // ruleid: java.permissive-cors
        resp.setHeader("Access-Control-Allow-Origin", "*");
        // ok: java.permissive-cors
        resp.setHeader("Access-Control-Allow-Origin", "https://example.com");
    }

    void greet(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        String name = req.getParameter("name");
        // ruleid: java.xss-response-writer
        resp.getWriter().write("<h1>Hello " + name + "</h1>");
        // ok: java.xss-response-writer
        resp.getWriter().write("<h1>Hello</h1>");
    }

    String spring(String url) {
        // ruleid: java.open-redirect
        return "redirect:" + url;
    }

    void cookies(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("session", value);
        // ruleid: java.cookie-insecure-flag
        cookie.setSecure(false);
        // ruleid: java.cookie-missing-secure, java.cookie-missing-httponly
        response.addCookie(cookie);
    }

    void goodCookies(HttpServletResponse response, String value) {
        Cookie cookie = new Cookie("session", value);
        // ok: java.cookie-insecure-flag
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // ok: java.cookie-missing-secure, java.cookie-missing-httponly
        response.addCookie(cookie);
    }

    void ldap(DirContext ctx, String user) throws Exception {
        // ruleid: java.ldap-injection
        ctx.search("ou=people", "(uid=" + user + ")", controls);
        // ok: java.ldap-injection
        ctx.search("ou=people", "(uid={0})", new Object[]{user}, controls);
        // ruleid: java.xpath-injection
        xpath.evaluate("//user[@name='" + user + "']", doc);
        // ok: java.xpath-injection
        xpath.evaluate("//user[@name=$name]", doc);
    }
}

class Mongo {
    void find(String userName) {
        BasicDBObject query = new BasicDBObject();
        // ruleid: java.nosql-injection
        query.put("$where", "this.sharedWith == \"" + userName + "\"");
        // ok: java.nosql-injection
        query.put("sharedWith", userName);
    }
}

class SecurityConfig {
    void configure(HttpSecurity http) throws Exception {
        // ruleid: java.csrf-disabled
        http.csrf().disable();
        // ok: java.csrf-disabled
        http.csrf().csrfTokenRepository(repo);
    }
}
