package main

import (
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/rsa"
	"crypto/tls"
	"database/sql"
	"fmt"
	"html/template"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/crypto/ssh"
	"google.golang.org/grpc"
	// ruleid: go.pprof-exposed
	_ "net/http/pprof"
)

var db *sql.DB

func commands(userInput string, args []string) {
	// ruleid: go.command-injection
	exec.Command("sh", "-c", userInput).Run()
	// ruleid: go.command-injection
	exec.Command("/usr/bin/env", "bash", "-c", "echo "+userInput).Run()
	// ruleid: go.command-injection
	exec.CommandContext(ctx, "git", fmt.Sprintf("--work-tree=%s", userInput)).Run()
	// ok: go.command-injection
	exec.Command("sh", "-c", "ls -la /tmp").Run()
	// ok: go.command-injection
	exec.Command("git", "log", "--", userInput).Run()
	// ok: go.command-injection-dynamic-program
	exec.Command(userInput, "--version").Run()
	// ok: go.command-injection-dynamic-program
	exec.Command("go", "version").Run()
}

func toolHandler(w http.ResponseWriter, r *http.Request) {
	tool := r.URL.Query().Get("tool")
	// ruleid: go.command-injection-dynamic-program
	exec.Command(tool, "--version").Run()
	argv := []string{r.FormValue("prog")}
	// ruleid: go.command-injection-dynamic-program
	syscall.Exec(argv[0], argv, os.Environ())
}

func queries(r *http.Request, name string) {
	id := r.URL.Query().Get("id")
	// ruleid: go.sql-injection
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %s", id))
	// ruleid: go.sql-injection
	_, err = db.Exec("DELETE FROM users WHERE name = '" + name + "'")
	query := "SELECT number FROM cards WHERE customer = " + id
	// ruleid: go.sql-injection
	row := db.QueryRow(query)
	q2 := fmt.Sprintf("UPDATE users SET name = '%s'", name)
	// ruleid: go.sql-injection
	if _, err := db.ExecContext(ctx, q2); err != nil {
		return
	}
	// ruleid: go.sql-injection
	gormDB.Where(fmt.Sprintf("name = '%s'", name)).Find(&users)
	// ok: go.sql-injection
	rows, err = db.Query("SELECT * FROM users WHERE id = $1", id)
	// ok: go.sql-injection
	_, err = db.Exec("INSERT INTO users (name) VALUES (" + "'bob'" + ")")
	// ok: go.sql-injection
	out, err := sshClient.Exec(fmt.Sprintf("sudo bash %s", scriptPath))
	q3 := "SELECT * FROM users"
	// ok: go.sql-injection
	db.Query(q3)
	// ok: go.sql-injection
	db.Exec(fmt.Sprintf("SELECT * FROM users WHERE email=hello;"))
	_, _, _, _ = rows, row, out, err
}

func crypto(data []byte) {
	// ruleid: go.weak-hash
	h := md5.New()
	// ruleid: go.weak-hash
	fmt.Printf("%x", sha1.Sum(data))
	// ok: go.weak-hash
	fmt.Printf("%x", sha256.Sum256(data))
	// ruleid: go.weak-cipher
	c, _ := des.NewTripleDESCipher(key)
	// ruleid: go.weak-cipher
	c2, _ := rc4.NewCipher(key)
	// ok: go.weak-cipher
	c3, _ := aes.NewCipher(key)
	// ruleid: go.weak-rsa-key
	k, _ := rsa.GenerateKey(rand.Reader, 1024)
	// ok: go.weak-rsa-key
	k2, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, _, _, _, _, _ = h, c, c2, c3, k, k2
}

func tokens() {
	b := make([]byte, 32)
	// ruleid: go.insecure-random
	rand.Read(b)
	// ruleid: go.insecure-random
	sessionToken := rand.Int63()
	// ok: go.insecure-random
	jitter := rand.Intn(100)
	_, _ = sessionToken, jitter
}

func tlsConfigs() {
	cfg := &tls.Config{
		// ruleid: go.tls-insecure-skip-verify
		InsecureSkipVerify: true,
		// ruleid: go.tls-weak-version
		MinVersion: tls.VersionTLS10,
		CipherSuites: []uint16{
			// ruleid: go.tls-weak-cipher-suite
			tls.TLS_RSA_WITH_RC4_128_SHA,
			// ok: go.tls-weak-cipher-suite
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		},
	}
	// ruleid: go.tls-insecure-skip-verify
	cfg.InsecureSkipVerify = true
	// ok: go.tls-insecure-skip-verify
	good := &tls.Config{InsecureSkipVerify: false, MinVersion: tls.VersionTLS12}
	// ok: go.tls-weak-version
	good2 := &tls.Config{MinVersion: tls.VersionTLS13}
	_ = &ssh.ClientConfig{
		// ruleid: go.ssh-insecure-host-key
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	}
	_ = &ssh.ClientConfig{
		// ok: go.ssh-insecure-host-key
		HostKeyCallback: ssh.FixedHostKey(hostKey),
	}
	// ruleid: go.grpc-insecure-transport
	conn, _ := grpc.Dial(addr, grpc.WithInsecure())
	// ok: go.grpc-insecure-transport
	conn2, _ := grpc.Dial(addr, grpc.WithTransportCredentials(creds))
	_, _, _, _ = good, good2, conn, conn2
}

func servers(w http.ResponseWriter, r *http.Request) {
	// ruleid: go.bind-all-interfaces
	l, _ := net.Listen("tcp", "0.0.0.0:2000")
	// ok: go.bind-all-interfaces
	l2, _ := net.Listen("tcp", "127.0.0.1:2000")
	// ruleid: go.insecure-temp-file
	os.WriteFile("/tmp/report.txt", data, 0644)
	// ok: go.insecure-temp-file
	f, _ := os.CreateTemp("", "report-*")
	// ruleid: go.xss-unescaped-template-type
	page := template.HTML(r.FormValue("bio"))
	// ok: go.xss-unescaped-template-type
	static := template.HTML("<b>hello</b>")
	// ruleid: go.open-redirect
	http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusFound)
	// ok: go.open-redirect
	http.Redirect(w, r, "/login", http.StatusFound)
	// ruleid: go.path-traversal
	content, _ := os.ReadFile(r.FormValue("file"))
	// ok: go.path-traversal
	content2, _ := os.ReadFile("/etc/app/config.json")
	_, _, _, _, _, _, _ = l, l2, f, page, static, content, content2
}

func cookies(w http.ResponseWriter) {
	// ruleid: go.cookie-missing-secure, go.cookie-missing-httponly
	http.SetCookie(w, &http.Cookie{Name: "session", Value: sid})
	// ok: go.cookie-missing-secure, go.cookie-missing-httponly
	http.SetCookie(w, &http.Cookie{Name: "session", Value: sid, Secure: true, HttpOnly: true})
}
