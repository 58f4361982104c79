;;; emacs_probe.el --- drive editors/emacs/codomyrmex-eglot.el in batch Emacs  -*- lexical-binding: t; -*-
;; emacs --batch -Q -l tests/editors/emacs_probe.el
;; Env: SNIPPET (codomyrmex-eglot.el), PY_FILE, PATH holding a `codomyrmex' binary, OUT (JSON result).

(require 'package)
(dolist (d '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
  (when (file-directory-p d) (add-to-list 'package-directory-list d)))
(package-initialize)
(require 'json)
(setq exec-path (append (split-string (getenv "PATH") ":") exec-path))

(defvar probe-checks nil)
(defun probe-check (name ok &optional detail)
  (push `((name . ,name) (ok . ,(if ok t :json-false)) (detail . ,(or detail ""))) probe-checks))

(defun probe-finish ()
  (with-temp-file (getenv "OUT")
    (insert (json-encode `((emacs . ,emacs-version) (checks . ,(vconcat (nreverse probe-checks)))))))
  (kill-emacs 0))

(run-at-time 90 nil (lambda () (probe-check "watchdog" nil "probe did not finish in 90 s") (probe-finish)))

(condition-case err
    (progn
      (load (getenv "SNIPPET"))
      (probe-check "snippet loads and registers codomyrmex for python-mode"
                   (cl-some (lambda (e) (and (listp (car e)) (memq 'python-mode (car e))
                                             (equal (cadr e) "codomyrmex")))
                            eglot-server-programs))
      (find-file (getenv "PY_FILE"))
      (python-mode)
      (apply #'eglot (eglot--guess-contact))
      (let ((deadline (+ (float-time) 30)) diags)
        (while (and (null diags) (< (float-time) deadline))
          (accept-process-output nil 0.2)
          (setq diags (flymake-diagnostics)))
        (let ((texts (mapcar #'flymake-diagnostic-text diags)))
          (probe-check "flymake shows the codomyrmex finding"
                       (cl-some (lambda (s) (string-match-p "except" s)) texts)
                       (format "%S" texts)))
        (let* ((server (eglot--current-server-or-lose))
               (d (car diags)))
          (when d (goto-char (flymake-diagnostic-beg d)))
          (let* ((hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
                 (contents (and hover (plist-get hover :contents)))
                 (text (cond ((stringp contents) contents)
                             ((plist-get contents :value))
                             (t (format "%S" contents)))))
            (probe-check "hover answers" (and text (> (length text) 0)) (format "%s" text)))
          (let* ((pos (eglot--pos-to-lsp-position))
                 (actions (jsonrpc-request server :textDocument/codeAction
                                           (list :textDocument (eglot--TextDocumentIdentifier)
                                                 :range (list :start pos :end pos)
                                                 :context (list :diagnostics []))))
                 (kinds (mapcar (lambda (a) (plist-get a :kind)) actions)))
            (probe-check "code actions include refactor.ai.rewrite"
                         (member "refactor.ai.rewrite" kinds) (format "%S" kinds))))))
  (error (probe-check "probe ran" nil (format "%S" err))))
(probe-finish)
