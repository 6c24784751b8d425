;;; livemidi.el --- Play a running livemidi session from Emacs -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: multimedia, languages, processes
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; `livemidi-mode' is a minor mode for the buffers you perform from: it
;; sends code to a running livemidi session (the REPL, `livemidi run FILE',
;; `livemidi --pipe') through the session's eval server, as a live coder
;; sends blocks to TidalCycles.
;;
;;   C-c C-c  evaluate the block around point (the region when it is active)
;;   C-c C-r  evaluate the region
;;   C-c C-l  evaluate the line
;;   C-c C-h  hush (silence every loop)
;;   C-c C-p  panic (all notes off on every output)
;;   C-c C-k  stop the transport
;;   C-c C-b  interrupt the running eval
;;   C-c C-s  status (transport, tempo, position, loops)
;;
;; The session is found through its server file (docs/editors.md): the
;; option `livemidi-server-file', else $LIVEMIDI_SERVER_FILE, else the
;; runtime directory's livemidi/server.json.  Errors go to the buffer
;; *livemidi-errors* (a compilation buffer: `next-error' jumps to the
;; file:line) and are underlined in the code; the evaluated block flashes
;; (pulse.el).  With `livemidi-highlight-steps' on, the mini-notation steps
;; that sound are highlighted as they play.
;;
;; Requests are asynchronous: a command returns at once and the answer is
;; shown when it comes, so a slow eval never freezes Emacs.

;;; Code:

(require 'cl-lib)
(require 'compile)
(require 'json)
(require 'pulse)
(require 'seq)
(require 'subr-x)

(defgroup livemidi nil
  "Play a running livemidi session from Emacs."
  :group 'processes
  :prefix "livemidi-")

(defcustom livemidi-server-file nil
  "The livemidi server file; nil: the documented lookup.
That is $LIVEMIDI_SERVER_FILE when set, else livemidi/server.json in
the user's runtime directory."
  :type '(choice (const :tag "Look it up" nil) file))

(defcustom livemidi-flash-time 0.2
  "How long an evaluated block flashes, in seconds (0: no flash)."
  :type 'number)

(defcustom livemidi-highlight-steps nil
  "Non-nil: highlight the mini-notation steps that sound, as they play.
Set it with `livemidi-highlight' (or customize) while a session runs."
  :type 'boolean)

(defcustom livemidi-show-notices t
  "Non-nil: show the session's notices (a loop muted for an error...)."
  :type 'boolean)

(defcustom livemidi-show-errors t
  "Non-nil: display the *livemidi-errors* buffer when an eval fails."
  :type 'boolean)

(defface livemidi-flash '((t :inherit highlight))
  "The face an evaluated block flashes with.")

(defface livemidi-step '((t :inherit isearch))
  "The face of a mini-notation step while it sounds.")

(defface livemidi-error
  '((((supports :underline (:style wave))) :underline (:style wave :color "Red1"))
    (t :inherit error))
  "The face of the code an error points at.")

(defconst livemidi-protocol 1
  "The version of the eval server's protocol this file speaks.")

(defconst livemidi--how-to-start
  "start one with `livemidi' (the REPL) or `livemidi run FILE.py'")

;;;; Finding the session

(defun livemidi-server-file-path ()
  "The path of the server file of the running session (it may not exist)."
  (let ((env (getenv "LIVEMIDI_SERVER_FILE"))
        (runtime (getenv "XDG_RUNTIME_DIR")))
    (cond
     ((and livemidi-server-file (not (string-empty-p livemidi-server-file)))
      (expand-file-name livemidi-server-file))
     ((and env (not (string-empty-p env))) env)
     ((eq system-type 'windows-nt)
      (expand-file-name "livemidi/server.json" (getenv "LOCALAPPDATA")))
     ((eq system-type 'darwin)
      (expand-file-name "livemidi/server.json" (or (getenv "TMPDIR") "/tmp")))
     ((and runtime (not (string-empty-p runtime)))
      (expand-file-name "livemidi/server.json" runtime))
     (t (format "/tmp/livemidi-%d/server.json" (user-real-uid))))))

(defun livemidi--json-read (string)
  "Parse the JSON object STRING: an alist with symbol keys, arrays as vectors.
JSON null and false both read as nil."
  (if (and (fboundp 'json-parse-string)
           (or (not (fboundp 'json-available-p)) (json-available-p)))
      (json-parse-string string :object-type 'alist :null-object nil :false-object nil)
    (let ((json-object-type 'alist)
          (json-array-type 'vector)
          (json-key-type 'symbol)
          (json-null nil)
          (json-false nil))
      (json-read-from-string string))))

(defun livemidi--pid-alive-p (pid)
  "Whether process PID runs (t where that cannot be told)."
  (or (not (integerp pid))
      (eq system-type 'windows-nt)
      ;; signal-process answers 0 when the process is there, -1 when not (or not ours).
      (eql 0 (signal-process pid 0))
      ;; signal-process fails for another user's process too; ask the process list.
      (and (process-attributes pid) t)))

(defun livemidi-server-info ()
  "The running session's server file as an alist, or a `user-error' saying why not."
  (let* ((path (livemidi-server-file-path))
         (text (condition-case nil
                   (with-temp-buffer
                     (insert-file-contents path)
                     (buffer-string))
                 (file-missing
                  (user-error "No running livemidi session: %s does not exist (%s)"
                              path livemidi--how-to-start))))
         (info (condition-case nil
                   (livemidi--json-read text)
                 (error nil))))
    (unless (consp info)
      (user-error "%s should hold a JSON object (the livemidi server file), found %S"
                  path (substring text 0 (min 80 (length text)))))
    (unless (eql (alist-get 'protocol info) livemidi-protocol)
      (user-error "The session in %s speaks protocol %S; livemidi.el speaks %d: update the one that is older"
                  path (alist-get 'protocol info) livemidi-protocol))
    (unless (and (integerp (alist-get 'port info)) (stringp (alist-get 'token info)))
      (user-error "%s should give a \"port\" (a number) and a \"token\" (a string), found %S"
                  path (substring text 0 (min 120 (length text)))))
    (unless (livemidi--pid-alive-p (alist-get 'pid info))
      (user-error "No running livemidi session: %s is stale (its process %d is gone); %s"
                  path (alist-get 'pid info) livemidi--how-to-start))
    (cons (cons 'path path) info)))

;;;; Connections: JSON lines over TCP

(defvar livemidi--connection nil "The connection requests go through.")
(defvar livemidi--subscription nil "The connection events arrive on.")
(defvar livemidi--next-id 0 "The id of the last request sent.")
(defvar livemidi--pending 0 "How many requests wait for their answer.")
(defvar livemidi-last-answer nil "The last answer the session gave (an alist).")

(defun livemidi--connect (info on-event)
  "Open a connection to the session INFO describes; ON-EVENT gets each event."
  (let ((host (or (alist-get 'host info) "127.0.0.1"))
        (port (alist-get 'port info)))
    (condition-case err
        (let ((process (make-network-process
                        :name "livemidi" :host host :service port :family 'ipv4
                        :coding 'utf-8-unix :noquery t
                        :filter #'livemidi--filter :sentinel #'livemidi--sentinel)))
          (process-put process 'livemidi-token (alist-get 'token info))
          (process-put process 'livemidi-partial "")
          (process-put process 'livemidi-callbacks (make-hash-table))
          (process-put process 'livemidi-on-event on-event)
          process)
      (file-error
       (user-error "No running livemidi session: nothing answers on %s:%d (%s; %s is stale)"
                   host port (error-message-string err) (alist-get 'path info))))))

(defun livemidi--live-p (process)
  "Whether PROCESS is an open connection."
  (and process (process-live-p process)))

(defun livemidi--filter (process output)
  "Split OUTPUT from PROCESS into lines; dispatch each answer and event."
  (let ((lines (split-string (concat (process-get process 'livemidi-partial) output) "\n")))
    (process-put process 'livemidi-partial (car (last lines)))
    (dolist (line (butlast lines))
      (unless (string-blank-p line)
        (livemidi--dispatch process line)))))

(defun livemidi--dispatch (process line)
  "Hand the message LINE from PROCESS to its request's callback.
A line without an id is an event: it goes to the event handler."
  (let ((message (condition-case nil (livemidi--json-read line) (error nil))))
    (cond
     ((not (consp message))
      (message "livemidi: the session sent a line that is not a JSON object: %s"
               (substring line 0 (min 200 (length line)))))
     ((alist-get 'id message)
      (let* ((callbacks (process-get process 'livemidi-callbacks))
             (id (alist-get 'id message))
             (callback (gethash id callbacks)))
        (when callback
          (remhash id callbacks)
          (livemidi--answer callback message))))
     ((process-get process 'livemidi-on-event)
      (with-demoted-errors "livemidi: %S"
        (funcall (process-get process 'livemidi-on-event) message))))))

(defun livemidi--answer (callback answer)
  "Give ANSWER to CALLBACK; the request no longer waits."
  (setq livemidi--pending (max 0 (1- livemidi--pending)))
  (with-demoted-errors "livemidi: %S"
    (funcall callback answer)))

(defun livemidi--sentinel (process event)
  "PROCESS changed (EVENT): when it closed, answer what still waits with an error."
  (unless (process-live-p process)
    (let ((reason (format "the connection to the livemidi session closed (%s)" (string-trim event)))
          (callbacks (process-get process 'livemidi-callbacks)))
      (process-put process 'livemidi-callbacks (make-hash-table))
      (maphash (lambda (id callback)
                 (livemidi--answer callback `((id . ,id) (ok . nil)
                                              (error (kind . "connection") (message . ,reason)))))
               callbacks))
    (when (eq process livemidi--connection) (setq livemidi--connection nil))
    (when (eq process livemidi--subscription) (setq livemidi--subscription nil))))

(defun livemidi--send (process op fields callback)
  "Send OP with FIELDS (an alist) on PROCESS; CALLBACK gets the answer."
  (let ((id (cl-incf livemidi--next-id)))
    (puthash id callback (process-get process 'livemidi-callbacks))
    (setq livemidi--pending (1+ livemidi--pending))
    (process-send-string
     process
     (concat (json-encode `((id . ,id) (token . ,(process-get process 'livemidi-token))
                            (op . ,op) (protocol . ,livemidi-protocol) ,@fields))
             "\n"))
    id))

(defun livemidi--ensure-subscription (&optional info)
  "Subscribe to the events wanted, on a connection of their own.
INFO is the server file's content; nil: read it."
  (let ((events (append (and livemidi-highlight-steps '("play"))
                        (and livemidi-show-notices '("notice")))))
    (unless (and (livemidi--live-p livemidi--subscription)
                 (equal events (process-get livemidi--subscription 'livemidi-events)))
      (when (livemidi--live-p livemidi--subscription)
        (delete-process livemidi--subscription))
      (setq livemidi--subscription nil)
      (when events
        (let ((process (livemidi--connect (or info (livemidi-server-info)) #'livemidi--on-event)))
          (process-put process 'livemidi-events events)
          (setq livemidi--subscription process)
          (livemidi--send process "subscribe" `((events . ,(vconcat events)))
                          (lambda (answer)
                            (unless (or (alist-get 'ok answer)
                                        (equal (alist-get 'kind (alist-get 'error answer)) "connection"))
                              (message "livemidi: subscribing to the events failed: %s"
                                       (livemidi--summary (alist-get 'error answer)))))))))))

(defun livemidi-request (op fields callback)
  "Send OP with FIELDS (an alist) to the session; CALLBACK gets the answer alist.
Opens the connection when there is none; signals a `user-error' when
no session runs.  The answer is also kept in `livemidi-last-answer'."
  (unless (livemidi--live-p livemidi--connection)
    (let ((info (livemidi-server-info)))
      (setq livemidi--connection (livemidi--connect info nil))
      (livemidi--ensure-subscription info)))
  (livemidi--send livemidi--connection op fields
                  (lambda (answer)
                    (setq livemidi-last-answer answer)
                    (funcall callback answer))))

(defun livemidi-wait (&optional seconds)
  "Wait up to SECONDS (default 30) until every request has its answer.
Non-nil if all did."
  (let ((deadline (+ (float-time) (or seconds 30))))
    (while (and (> livemidi--pending 0) (< (float-time) deadline))
      ;; Waiting on the connection itself (other processes are still served):
      ;; waiting on any process took 12 ms a status round trip here, this 1.8 ms.
      (accept-process-output (and (livemidi--live-p livemidi--connection) livemidi--connection) 0.05))
    (= livemidi--pending 0)))

;;;; Showing answers

(defun livemidi--summary (err)
  "The one-line form of the error alist ERR: file:line: Type: message."
  (let ((file (alist-get 'file err))
        (line (alist-get 'line err))
        (type (alist-get 'type err)))
    (concat (cond ((and file line) (format "%s:%d: " file line))
                  (file (format "%s: " file))
                  (t ""))
            (if type (format "%s: " type) "")
            (or (alist-get 'message err) (alist-get 'kind err) "error"))))

(defun livemidi--buffer-for (file)
  "The live buffer visiting FILE (or named FILE), or nil."
  (and (stringp file)
       (or (and (file-name-absolute-p file) (find-buffer-visiting file))
           (get-buffer file))))

(defun livemidi--clear-errors (buffer start end)
  "Remove the error overlays of BUFFER between START and END."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (remove-overlays start end 'livemidi-error t))))

(defun livemidi--mark-error (buffer line column text)
  "Underline LINE (1-based) of BUFFER from COLUMN (0-based, or nil).
TEXT is shown as its help."
  (with-current-buffer buffer
    (save-excursion
      (save-restriction
        (widen)
        (goto-char (point-min))
        (forward-line (1- line))
        (let* ((eol (line-end-position))
               (start (min eol (+ (point) (or column 0))))
               (overlay (make-overlay (if (= start eol) (line-beginning-position) start) eol)))
          (overlay-put overlay 'livemidi-error t)
          (overlay-put overlay 'face 'livemidi-error)
          (overlay-put overlay 'help-echo text)
          overlay)))))

(defconst livemidi--error-regexps
  '(("^\\(.+?\\):\\([0-9]+\\):\\(?:\\([0-9]+\\):\\)? " 1 2 3 2)
    ("^ *File \"\\([^\"\n]+\\)\", line \\([0-9]+\\)" 1 2 nil 0))
  "The places in *livemidi-errors*: the error's, then the traceback's frames.")

(define-compilation-mode livemidi-errors-mode "livemidi-errors"
  "The errors of the code sent to livemidi; `next-error' visits them."
  (setq-local compilation-error-regexp-alist livemidi--error-regexps)
  (setq-local compilation-first-column 1))

(defun livemidi--show-error (err)
  "Put the code error ERR in *livemidi-errors*, for `next-error'.
Returns that buffer."
  (let ((buffer (get-buffer-create "*livemidi-errors*"))
        (file (alist-get 'file err))
        (line (alist-get 'line err))
        (column (alist-get 'column err)))
    (with-current-buffer buffer
      (let ((inhibit-read-only t))
        (erase-buffer)
        (livemidi-errors-mode)
        (insert "The livemidi session refused the code it was sent.\n\n")
        (insert (if (and file line)
                    (format "%s:%d:%s %s: %s\n" file line
                            (if column (format "%d:" (1+ column)) "")
                            (or (alist-get 'type err) "Error") (alist-get 'message err))
                  (concat (livemidi--summary err) "\n")))
        (let ((traceback (alist-get 'traceback err))
              (output (alist-get 'output err)))
          (when (and traceback (not (string-empty-p traceback)))
            (insert "\n" traceback)
            (unless (string-suffix-p "\n" traceback) (insert "\n")))
          (when (and output (not (string-empty-p output)))
            (insert "\nWhat the code printed before it failed:\n" output)
            (unless (string-suffix-p "\n" output) (insert "\n"))))
        (goto-char (point-min))))
    (setq next-error-last-buffer buffer)
    (when livemidi-show-errors
      (display-buffer buffer '(nil (inhibit-same-window . t))))
    buffer))

(defun livemidi--eval-answer (buffer start end answer)
  "Show ANSWER to the eval of START..END (markers) in BUFFER."
  (livemidi--clear-errors buffer start end)
  (if (alist-get 'ok answer)
      (let ((output (string-trim-right (or (alist-get 'output answer) "")))
            (value (alist-get 'value answer)))
        (message "%s" (string-join (delq nil (list (and (not (string-empty-p output)) output) value)) "\n"))
        (when (and (string-empty-p output) (not value))
          (message "livemidi: ok")))
    (let* ((err (alist-get 'error answer))
           (kind (alist-get 'kind err)))
      (when (equal kind "code")
        (livemidi--show-error err)
        (let* ((line (alist-get 'line err))
               (target (if line (livemidi--buffer-for (alist-get 'file err)) buffer)))
          (when (buffer-live-p target)
            (livemidi--mark-error target (or line (with-current-buffer buffer
                                                    (line-number-at-pos start t)))
                                  (alist-get 'column err) (livemidi--summary err)))))
      (message "livemidi: %s" (livemidi--summary err)))))

(defun livemidi--flash (start end)
  "Flash START..END for `livemidi-flash-time' seconds."
  (when (> livemidi-flash-time 0)
    (let ((pulse-delay (/ livemidi-flash-time (float (max 1 pulse-iterations)))))
      (pulse-momentary-highlight-region start end 'livemidi-flash))
    ;; Where pulse.el cannot pulse (a terminal, or pulse-flag nil) it keeps
    ;; the highlight until the next command; end it on time instead.
    (let ((overlay pulse-momentary-overlay))
      (run-at-time livemidi-flash-time nil
                   (lambda ()
                     (when (and overlay (eq pulse-momentary-overlay overlay))
                       (pulse-momentary-unhighlight)))))))

;;;; Evaluating

(defun livemidi--source ()
  "The name the session gives this buffer's code: its file, else its name."
  (or buffer-file-name (buffer-name)))

(defun livemidi--eval (start end)
  "Send START..END of the current buffer to the session."
  (when (string-blank-p (buffer-substring-no-properties start end))
    (user-error "livemidi: nothing to evaluate here (a blank line or an empty region)"))
  (let ((buffer (current-buffer))
        (from (copy-marker start))
        (to (copy-marker end t)))
    (livemidi-request "eval"
                      `((code . ,(concat (buffer-substring-no-properties start end) "\n"))
                        (source . ,(livemidi--source))
                        (line . ,(line-number-at-pos start t)))
                      (lambda (answer) (livemidi--eval-answer buffer from to answer)))
    (livemidi--flash start end)))

(defun livemidi-block-bounds ()
  "The block around point, as (START . END); nil on a blank line.
A block is the lines up to the blank lines around point's."
  (save-excursion
    (beginning-of-line)
    (unless (looking-at-p "[ \t]*$")
      (let ((start (save-excursion
                     (if (re-search-backward "^[ \t]*$" nil t) (line-beginning-position 2) (point-min))))
            (end (save-excursion
                   ;; The end of the line before the next blank one: its newline is not sent.
                   (if (re-search-forward "^[ \t]*$" nil t) (1- (match-beginning 0)) (point-max)))))
        (cons start end)))))

(defun livemidi-eval-region (start end)
  "Evaluate the region from START to END in the running session."
  (interactive "r")
  (livemidi--eval start end))

(defun livemidi-eval-line ()
  "Evaluate the current line in the running session."
  (interactive)
  (livemidi--eval (line-beginning-position) (line-end-position)))

(defun livemidi-eval-block ()
  "Evaluate the block around point (the region, when it is active)."
  (interactive)
  (if (use-region-p)
      (livemidi--eval (region-beginning) (region-end))
    (let ((bounds (livemidi-block-bounds)))
      (unless bounds
        (user-error "livemidi: nothing to evaluate here (a blank line)"))
      (livemidi--eval (car bounds) (cdr bounds)))))

(defun livemidi--simple (op done)
  "Send OP; show (funcall DONE answer) when it succeeds, the error when not."
  (livemidi-request op nil
                    (lambda (answer)
                      (if (alist-get 'ok answer)
                          (message "livemidi: %s" (funcall done answer))
                        (message "livemidi: %s" (livemidi--summary (alist-get 'error answer)))))))

(defun livemidi-hush ()
  "Silence every loop of the session (an eval that runs is interrupted first)."
  (interactive)
  (livemidi--simple "hush" (lambda (_) "hushed: every loop is silent")))

(defun livemidi-panic ()
  "All notes off on every output of the session, now."
  (interactive)
  (livemidi--simple "panic" (lambda (_) "panic: all notes off on every output")))

(defun livemidi-stop ()
  "Stop the session's transport (an eval that runs is interrupted first)."
  (interactive)
  (livemidi--simple "stop" (lambda (_) "stopped")))

(defun livemidi-interrupt ()
  "Interrupt the eval the session runs, if any."
  (interactive)
  (livemidi--simple "interrupt" (lambda (answer)
                                  (if (alist-get 'interrupted answer)
                                      "the running eval was interrupted"
                                    "no eval was running"))))

(defun livemidi-status-line (answer)
  "One line for the status ANSWER: transport, tempo, position, loops, outputs."
  (let ((loops (mapcar (lambda (loop)
                         (concat (format "%s" (alist-get 'name loop))
                                 (if (alist-get 'muted loop) " (muted)" "")))
                       (alist-get 'loops answer)))
        (outputs (mapcar (lambda (output)
                           (format "%s" (if (consp output) (alist-get 'name output) output)))
                         (alist-get 'outputs answer))))
    (format "%s, %s BPM, bar %s beat %s; loops: %s; outputs: %s"
            (if (alist-get 'playing answer) "playing" "stopped")
            (alist-get 'bpm answer) (alist-get 'bar answer) (alist-get 'beat answer)
            (if loops (string-join loops ", ") "none")
            (if outputs (string-join outputs ", ") "none"))))

(defun livemidi-status ()
  "Show the session's transport, tempo, position and loops."
  (interactive)
  (livemidi--simple "status" #'livemidi-status-line))

;;;; Events: notices and sounding steps

(defun livemidi--on-event (event)
  "Handle one EVENT from the subscription."
  (let ((kind (alist-get 'event event)))
    (cond
     ((and (equal kind "play") livemidi-highlight-steps)
      (livemidi--schedule-steps event))
     ((and (equal kind "notice") livemidi-show-notices)
      (message "livemidi: %s" (alist-get 'text event))))))

(defun livemidi--schedule-steps (event)
  "Highlight the locations of the play EVENT when it sounds, for as long."
  (let ((locations (alist-get 'locations event))
        (at (max 0 (or (alist-get 'at event) 0)))
        ;; A step shorter than a frame would not be seen: 50 ms at least.
        (duration (max 0.05 (or (alist-get 'duration event) 0.1))))
    (when (> (length locations) 0)
      (run-at-time at nil #'livemidi--show-steps locations duration))))

(defun livemidi--show-steps (locations duration)
  "Highlight each of LOCATIONS for DURATION seconds.
A location has a source, a line, a column and an end_column."
  (seq-doseq (location locations)
    (let ((buffer (livemidi--buffer-for (alist-get 'source location)))
          (line (alist-get 'line location))
          (column (or (alist-get 'column location) 0)))
      (when (and (buffer-live-p buffer) (integerp line) (> line 0))
        (with-current-buffer buffer
          (save-excursion
            (save-restriction
              (widen)
              (goto-char (point-min))
              (when (= 0 (forward-line (1- line)))
                (let* ((eol (line-end-position))
                       (start (min eol (+ (point) column)))
                       (end (min eol (+ (point) (or (alist-get 'end_column location) (1+ column))))))
                  (when (< start end)
                    (let ((overlay (make-overlay start end)))
                      (overlay-put overlay 'livemidi-step t)
                      (overlay-put overlay 'face 'livemidi-step)
                      (overlay-put overlay 'priority 10)
                      (run-at-time duration nil #'delete-overlay overlay))))))))))))

(defun livemidi-highlight (&optional arg)
  "Toggle highlighting the sounding steps; with ARG, on when ARG is positive."
  (interactive "P")
  (setq livemidi-highlight-steps (if arg (> (prefix-numeric-value arg) 0) (not livemidi-highlight-steps)))
  (unless livemidi-highlight-steps
    (dolist (buffer (buffer-list))
      (with-current-buffer buffer
        (remove-overlays (point-min) (point-max) 'livemidi-step t))))
  (condition-case err
      (livemidi--ensure-subscription)
    (user-error (when livemidi-highlight-steps
                  (message "livemidi: step highlighting starts once a session runs (%s)"
                           (error-message-string err)))))
  (message "livemidi: step highlighting %s" (if livemidi-highlight-steps "on" "off")))

;;;; The minor mode

(defvar livemidi-mode-map
  (let ((map (make-sparse-keymap)))
    (define-key map (kbd "C-c C-c") #'livemidi-eval-block)
    (define-key map (kbd "C-c C-r") #'livemidi-eval-region)
    (define-key map (kbd "C-c C-l") #'livemidi-eval-line)
    (define-key map (kbd "C-c C-h") #'livemidi-hush)
    (define-key map (kbd "C-c C-p") #'livemidi-panic)
    (define-key map (kbd "C-c C-k") #'livemidi-stop)
    (define-key map (kbd "C-c C-b") #'livemidi-interrupt)
    (define-key map (kbd "C-c C-s") #'livemidi-status)
    map)
  "Keys of `livemidi-mode'.")

;;;###autoload
(define-minor-mode livemidi-mode
  "Send code from this buffer to a running livemidi session.

\\{livemidi-mode-map}"
  :lighter " livemidi"
  :keymap livemidi-mode-map)

(provide 'livemidi)

;;; livemidi.el ends here
