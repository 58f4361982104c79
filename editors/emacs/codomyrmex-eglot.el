;;; codomyrmex-eglot.el --- use the codomyrmex language server with eglot  -*- lexical-binding: t; -*-

;; Emacs 29+ ships eglot; on Emacs 28 install it (Debian: `apt install elpa-eglot`).
;; Load this file from your init.el:  (load "~/src/codomyrmex/editors/emacs/codomyrmex-eglot.el")
;;
;; Eglot runs one server per buffer, so this makes codomyrmex THE server for these modes. To keep
;; another server as well, use a multiplexer such as `lspx', or lsp-mode (add-on servers).

(require 'eglot)

(defvar codomyrmex-eglot-modes
  '(python-mode python-ts-mode rust-mode rust-ts-mode js-mode js-ts-mode typescript-mode
    typescript-ts-mode tsx-ts-mode go-mode go-ts-mode java-mode java-ts-mode c-mode c-ts-mode
    c++-mode c++-ts-mode ruby-mode ruby-ts-mode sh-mode bash-ts-mode)
  "Major modes served by codomyrmex.")

(add-to-list 'eglot-server-programs
             `(,codomyrmex-eglot-modes
               . ("codomyrmex" "lsp"
                  :initializationOptions (:trusted t :ai (:enabled t :hover t)))))

;; Server log: M-x eglot-events-buffer (LSP traffic) and M-x eglot-stderr-buffer (codomyrmex's stderr;
;; start Emacs with CODOMYRMEX_LOG_LEVEL=debug for more).

(provide 'codomyrmex-eglot)
;;; codomyrmex-eglot.el ends here
