;;; livemidi-tests.el --- ERT tests for livemidi.el -*- lexical-binding: t; -*-

;;; Commentary:

;; Run them with
;;
;;   emacs --batch -Q -L editors/emacs -l livemidi-tests.el -f ert-run-tests-batch-and-exit
;;
;; The tests tagged live (named livemidi-live-*) talk to a real session: they run when
;; $LIVEMIDI_TEST_SONG names the song file to open (tests/editors/test_emacs.py
;; starts a session that plays into JACK, sets it, runs one of them, and
;; checks what the music did); they are skipped otherwise.  The selector
;; (not (tag live)) runs the others.

;;; Code:

(require 'cl-lib)
(require 'ert)
(require 'livemidi)

(defmacro livemidi-test--with-env (bindings &rest body)
  "Run BODY with the environment variables of BINDINGS ((NAME VALUE)...) set."
  (declare (indent 1))
  `(let ((process-environment (copy-sequence process-environment)))
     ,@(mapcar (lambda (binding) `(setenv ,(car binding) ,(cadr binding))) bindings)
     ,@body))

(defun livemidi-test--song ()
  "Visit the live tests' song file in `livemidi-mode'."
  (find-file (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-mode 1))

(defun livemidi-test--goto-line (line)
  "Put point at the start of LINE."
  (goto-char (point-min))
  (forward-line (1- line)))

(defun livemidi-test--answer (what)
  "Wait for the answers; the last one, or fail naming WHAT."
  (should (livemidi-wait 30))
  (or livemidi-last-answer (ert-fail (format "%s: no answer" what))))

(defun livemidi-test--overlays (property)
  "The overlays of the current buffer that have PROPERTY."
  (seq-filter (lambda (overlay) (overlay-get overlay property))
              (overlays-in (point-min) (point-max))))

;;;; Without a session

(ert-deftest livemidi-server-file-lookup-order ()
  "The option first, then $LIVEMIDI_SERVER_FILE, then the runtime directory, then /tmp."
  (let ((livemidi-server-file nil))
    (livemidi-test--with-env (("LIVEMIDI_SERVER_FILE" "/x/server.json") ("XDG_RUNTIME_DIR" "/run/user/7"))
      (should (equal (livemidi-server-file-path) "/x/server.json"))
      (let ((livemidi-server-file "/y/s.json"))
        (should (equal (livemidi-server-file-path) "/y/s.json"))))
    (when (memq system-type '(gnu/linux berkeley-unix))
      (livemidi-test--with-env (("LIVEMIDI_SERVER_FILE" nil) ("XDG_RUNTIME_DIR" "/run/user/7"))
        (should (equal (livemidi-server-file-path) "/run/user/7/livemidi/server.json")))
      (livemidi-test--with-env (("LIVEMIDI_SERVER_FILE" nil) ("XDG_RUNTIME_DIR" nil))
        (should (equal (livemidi-server-file-path)
                       (format "/tmp/livemidi-%d/server.json" (user-real-uid))))))))

(ert-deftest livemidi-no-session-says-so ()
  "A missing server file is no session: the error names the file and how to start one."
  (let* ((dir (make-temp-file "livemidi-test" t))
         (path (expand-file-name "server.json" dir))
         (livemidi-server-file path)
         (livemidi--connection nil))
    (unwind-protect
        (with-temp-buffer
          (insert "p.a = note(\"c4\")\n")
          (goto-char (point-min))
          (let ((err (should-error (livemidi-eval-block) :type 'user-error)))
            (should (string-match-p "No running livemidi session" (cadr err)))
            (should (string-match-p (regexp-quote path) (cadr err)))
            (should (string-match-p "livemidi run" (cadr err))))
          (should-not pulse-momentary-overlay))
      (delete-directory dir t))))

(ert-deftest livemidi-stale-server-file-is-no-session ()
  "A server file whose process is gone is reported as stale."
  (let* ((dir (make-temp-file "livemidi-test" t))
         (path (expand-file-name "server.json" dir))
         (livemidi-server-file path)
         (dead (let ((process (start-process "livemidi-dead" nil "true")))
                 (while (process-live-p process) (accept-process-output process 0.05))
                 (process-id process))))
    (unwind-protect
        (progn
          (with-temp-file path
            (insert (format "{\"protocol\": 1, \"host\": \"127.0.0.1\", \"port\": 9, \"token\": \"%s\", \"pid\": %d}"
                            (make-string 32 ?0) dead)))
          (let ((err (should-error (livemidi-server-info) :type 'user-error)))
            (should (string-match-p (format "is stale (its process %d is gone)" dead) (cadr err)))))
      (delete-directory dir t))))

(ert-deftest livemidi-nothing-answers-is-no-session ()
  "A server file whose process lives but whose port has nothing behind it."
  (let* ((server (make-network-process :name "livemidi-closed" :server t :host "127.0.0.1"
                                       :service t :family 'ipv4))
         (port (process-contact server :service))
         (path (make-temp-file "livemidi-test" nil ".json"))
         (livemidi-server-file path)
         (livemidi--connection nil))
    (delete-process server)  ; nothing listens on that port now
    (unwind-protect
        (progn
          (with-temp-file path
            (insert (format "{\"protocol\": 1, \"host\": \"127.0.0.1\", \"port\": %d, \"token\": \"t\", \"pid\": %d}"
                            port (emacs-pid))))
          (with-temp-buffer
            (insert "p.a = note(\"c4\")\n")
            (goto-char (point-min))
            (let ((err (should-error (livemidi-eval-block) :type 'user-error)))
              (should (string-match-p (format "nothing answers on 127.0.0.1:%d" port) (cadr err))))))
      (delete-file path))))

(ert-deftest livemidi-other-protocol-is-refused ()
  "A server file of another protocol version says which one."
  (let* ((path (make-temp-file "livemidi-test" nil ".json"
                               "{\"protocol\": 2, \"port\": 7317, \"token\": \"x\", \"pid\": 1}"))
         (livemidi-server-file path))
    (unwind-protect
        (let ((err (should-error (livemidi-server-info) :type 'user-error)))
          (should (string-match-p "speaks protocol 2; livemidi.el speaks 1" (cadr err))))
      (delete-file path))))

(ert-deftest livemidi-block-is-the-paragraph ()
  "The block is the lines between blank lines; a blank line has none."
  (with-temp-buffer
    (insert "a = 1\n\nb = 2\nc = 3\n   \nd = 4")
    (livemidi-test--goto-line 4)
    (let ((bounds (livemidi-block-bounds)))
      (should (equal (buffer-substring (car bounds) (cdr bounds)) "b = 2\nc = 3")))
    (livemidi-test--goto-line 1)
    (let ((bounds (livemidi-block-bounds)))
      (should (equal (buffer-substring (car bounds) (cdr bounds)) "a = 1")))
    (livemidi-test--goto-line 6)
    (let ((bounds (livemidi-block-bounds)))
      (should (equal (buffer-substring (car bounds) (cdr bounds)) "d = 4")))
    (livemidi-test--goto-line 5)
    (should-not (livemidi-block-bounds))))

(ert-deftest livemidi-keys ()
  "The minor mode's keys, under C-c."
  (with-temp-buffer
    (livemidi-mode 1)
    (should (eq (key-binding (kbd "C-c C-c")) #'livemidi-eval-block))
    (should (eq (key-binding (kbd "C-c C-r")) #'livemidi-eval-region))
    (should (eq (key-binding (kbd "C-c C-l")) #'livemidi-eval-line))
    (should (eq (key-binding (kbd "C-c C-h")) #'livemidi-hush))
    (should (eq (key-binding (kbd "C-c C-p")) #'livemidi-panic))
    (should (eq (key-binding (kbd "C-c C-s")) #'livemidi-status))
    (livemidi-mode -1)
    (should-not (eq (key-binding (kbd "C-c C-h")) #'livemidi-hush))))

(ert-deftest livemidi-step-highlight-places ()
  "A location (1-based line, 0-based code-point columns) highlights those characters."
  (let ((file (make-temp-file "livemidi-song" nil ".py" "tempo(120)\np.x = note(\"é4 c4\")\n")))
    (unwind-protect
        (with-current-buffer (find-file-noselect file)
          (livemidi--show-steps (vector `((source . ,file) (line . 2) (column . 15) (end_column . 17))) 0.3)
          (let ((steps (livemidi-test--overlays 'livemidi-step)))
            (should (= (length steps) 1))
            (should (equal (buffer-substring (overlay-start (car steps)) (overlay-end (car steps))) "c4")))
          (sleep-for 0.6)
          (should-not (livemidi-test--overlays 'livemidi-step))
          (kill-buffer))
      (delete-file file))))

;;;; With a live session (tests/editors/test_emacs.py)

(ert-deftest livemidi-live-block-and-error ()
  "A block flashes and plays; a failing block lands in *livemidi-errors* at its file:line."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-test--song)
  (livemidi-test--goto-line 4)
  (call-interactively (key-binding (kbd "C-c C-c")))
  (should pulse-momentary-overlay)
  (should (= (overlay-start pulse-momentary-overlay) (progn (livemidi-test--goto-line 3) (point))))
  (should (= (overlay-end pulse-momentary-overlay) (progn (livemidi-test--goto-line 4) (line-end-position))))
  (let ((answer (livemidi-test--answer "the block")))
    (should (eq (alist-get 'ok answer) t)))
  (sleep-for 0.5)
  (should-not pulse-momentary-overlay)

  (livemidi-test--goto-line 7)
  (call-interactively (key-binding (kbd "C-c C-c")))
  (let* ((answer (livemidi-test--answer "the failing block"))
         (err (alist-get 'error answer)))
    (should-not (alist-get 'ok answer))
    (should (equal (alist-get 'kind err) "code"))
    (should (equal (alist-get 'line err) 8)))
  (let ((song (current-buffer))
        (file buffer-file-name))
    (with-current-buffer "*livemidi-errors*"
      (should (string-match-p (regexp-quote (format "%s:8:11: NameError" file)) (buffer-string)))
      (should (string-match-p "NameError" (buffer-string))))
    (goto-char (point-min))
    (next-error)
    (should (eq (current-buffer) song))
    (should (= (line-number-at-pos) 8))
    (should (= (current-column) 10))  ; at no_such_name
    (let ((errors (livemidi-test--overlays 'livemidi-error)))
      (should (= (length errors) 1))
      (should (= (line-number-at-pos (overlay-start (car errors))) 8))
      (should (string-match-p "no_such_name" (overlay-get (car errors) 'help-echo)))))

  ;; Fixed and sent again: the underline goes.
  (livemidi-test--goto-line 8)
  (delete-region (line-beginning-position) (line-end-position))
  (insert "p.worse = note(\"e4\").ch(4)")
  (livemidi-eval-block)
  (should (eq (alist-get 'ok (livemidi-test--answer "the fixed block")) t))
  (should-not (livemidi-test--overlays 'livemidi-error)))

(ert-deftest livemidi-live-line-and-region ()
  "The line, then a region: only those are sent."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-test--song)
  (livemidi-test--goto-line 1)
  (livemidi-eval-line)
  (should (eq (alist-get 'ok (livemidi-test--answer "line 1")) t))
  (livemidi-test--goto-line 3)
  (livemidi-eval-line)
  (should (eq (alist-get 'ok (livemidi-test--answer "line 3")) t))
  (livemidi-test--goto-line 5)
  (livemidi-eval-region (point) (1- (search-forward ";")))
  (should (eq (alist-get 'ok (livemidi-test--answer "the region")) t)))

(ert-deftest livemidi-live-status-and-hush ()
  "Status lists the loop that plays; hush is accepted."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-status)
  (let ((answer (livemidi-test--answer "status")))
    (should (eq (alist-get 'ok answer) t))
    (should (eq (alist-get 'playing answer) t))
    (should (member "x" (mapcar (lambda (loop) (alist-get 'name loop)) (alist-get 'loops answer))))
    (should (string-match-p "^playing, .* BPM, bar .*; loops: .*x" (livemidi-status-line answer))))
  (livemidi-hush)
  (should (eq (alist-get 'ok (livemidi-test--answer "hush")) t)))

(ert-deftest livemidi-live-panic ()
  "Panic is accepted."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-panic)
  (should (eq (alist-get 'ok (livemidi-test--answer "panic")) t)))

(ert-deftest livemidi-live-interrupt ()
  "A block that never ends is interrupted; both answers say so."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-test--song)
  (livemidi-test--goto-line 1)
  (let ((mark (with-current-buffer "*Messages*" (point-max)))
        (busy nil)
        (deadline (+ (float-time) 30)))
    (livemidi-eval-block)
    ;; Interrupt acts on a running block only: wait until the session runs it.
    (while (and (not busy) (< (float-time) deadline))
      (livemidi-request "status" nil (lambda (answer) (setq busy (alist-get 'busy answer))))
      (livemidi-wait 5))
    (should busy)
    (livemidi-interrupt)
    (should (livemidi-wait 30))
    (let ((said (with-current-buffer "*Messages*" (buffer-substring mark (point-max)))))
      (should (string-match-p "the running eval was interrupted" said))
      (should (string-match-p "interrupted by interrupt" said)))))

(ert-deftest livemidi-live-highlight ()
  "With step highlighting on, the steps of a block that plays light up as they sound."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_SONG"))
  (livemidi-test--song)
  (livemidi-highlight 1)
  (livemidi-test--goto-line 3)
  (livemidi-eval-block)
  (should (eq (alist-get 'ok (livemidi-test--answer "the block")) t))
  (let ((deadline (+ (float-time) 15))
        (seen nil))
    (while (and (not (and (member "3:c4" seen) (member "3:e4" seen))) (< (float-time) deadline))
      (accept-process-output nil 0.005)
      (dolist (overlay (livemidi-test--overlays 'livemidi-step))
        (cl-pushnew (format "%d:%s" (line-number-at-pos (overlay-start overlay))
                            (buffer-substring (overlay-start overlay) (overlay-end overlay)))
                    seen :test #'equal)))
    (should (member "3:c4" seen))
    (should (member "3:e4" seen)))
  (livemidi-highlight -1)
  (sleep-for 0.5)
  (should-not (livemidi-test--overlays 'livemidi-step)))

(ert-deftest livemidi-live-restart ()
  "The session ends and another starts: the next command finds the new one.
$LIVEMIDI_TEST_MARK is written once the first block is in; the Python
test then restarts the session and writes that path with .restarted added."
  :tags (quote (live))
  (skip-unless (getenv "LIVEMIDI_TEST_MARK"))
  (let ((mark (getenv "LIVEMIDI_TEST_MARK"))
        (deadline (+ (float-time) 60)))
    (livemidi-test--song)
    (livemidi-test--goto-line 1)
    (livemidi-eval-block)
    (should (eq (alist-get 'ok (livemidi-test--answer "the first block")) t))
    (write-region "" nil mark)
    (while (and (not (file-exists-p (concat mark ".restarted"))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (should (file-exists-p (concat mark ".restarted")))
    (livemidi-test--goto-line 3)
    (livemidi-eval-block)
    (should (eq (alist-get 'ok (livemidi-test--answer "the second block")) t))))

(provide 'livemidi-tests)

;;; livemidi-tests.el ends here
