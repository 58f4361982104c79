package main

import (
	hashing "crypto/md5"
	crand "crypto/rand"
	mrand "math/rand"
	// ok: go.pprof-exposed
	run "os/exec"
)

func aliased(user string) {
	// ruleid: go.weak-hash
	sum := hashing.Sum([]byte(user))
	b := make([]byte, 16)
	// ruleid: go.insecure-random
	mrand.Read(b)
	// ok: go.insecure-random
	crand.Read(b)
	// ruleid: go.command-injection
	run.Command("bash", "-c", user).Run()
	// ok: go.command-injection
	run.Command("bash", "-c", "uptime").Run()
	_ = sum
}

func constantCommand() {
	someCommand := "w"
	// ok: go.command-injection
	run.Command("/usr/bin/env", "bash", "-c", someCommand).Run()
}

func mongo(coll *mongo.Collection, name string) {
	// ruleid: go.nosql-injection
	coll.Find(ctx, bson.M{"$where": "this.owner == '" + name + "'"})
	// ok: go.nosql-injection
	coll.Find(ctx, bson.M{"owner": name})
	// ok: go.nosql-injection
	coll.Find(ctx, bson.M{"$where": "this.a > this.b"})
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go.xss-response-write
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	// ruleid: go.xss-response-write
	w.Write([]byte("<p>" + r.FormValue("q") + "</p>"))
	// ok: go.xss-response-write
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ok: go.xss-response-write
	w.Write([]byte("alive"))
}

func tokens(claims jwt.MapClaims, key []byte, raw string) {
	// ruleid: go.jwt-none-algorithm
	token := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	// ok: go.jwt-none-algorithm
	token2 := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	// ruleid: go.jwt-parse-unverified
	t, _, _ := new(jwt.Parser).ParseUnverified(raw, claims)
	// ok: go.jwt-parse-unverified
	t2, _ := jwt.Parse(raw, keyFunc)
	_, _, _, _ = token, token2, t, t2
}

func unzip(r *zip.Reader, dest string) {
	for _, f := range r.File {
		// ruleid: go.zip-slip
		path := filepath.Join(dest, f.Name)
		// ok: go.zip-slip
		safe := filepath.Join(dest, filepath.Base(f.Name))
		_, _ = path, safe
	}
}
