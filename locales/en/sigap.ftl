# Sigap — user-facing text, English.
# Every sentence a user sees lives here; code refers to message ids only.

## General

welcome = Hello! I am Sigap, the IT service desk.
    Describe your problem in one message, for example: "the wifi in the 3rd floor meeting room has been down since 9". I will ask for anything missing and then open a ticket.
help = How to use Sigap:
    • Describe your problem as usual, for example "the printer in the general affairs office does not print".
    • /lapor — start a new report
    • /status — your tickets; /status NUMBER for one ticket
    • /batal — cancel the report in progress
    • /bantuan — show this help
    • /bahasa id — balas dalam Bahasa Indonesia
with-ack = { $ack }
    { $question }
greeting = Hello, welcome to Sigap. Please describe the IT problem you have, for example: "the internet in the finance room is slow since this morning".
thanks = All right, thank you. If anything else comes up, write it here.
empty-message = The message is empty. Please describe the problem you have.
english-message = Sorry, Sigap works in Indonesian. Please describe your problem in Indonesian, for example: "laptop saya tidak bisa menyala".
not-understood = Sorry, I did not understand that message. Describe the problem in a plain sentence, for example: "the printer in the admin office does not print".
unsupported-message = Sorry, Sigap can read text, photos, documents and locations only. Please describe your problem in writing.
set-aside-reply = Sorry, we could not process your message. Please send it again in other words; if it still fails, contact the helpdesk.
unknown-command = The command /{ $command } is unknown. Available commands: /lapor, /status, /batal, /bantuan.
language-set = All right, Sigap will reply in English.
language-usage = Type /bahasa en for English, or /bahasa id for Bahasa Indonesia.
choice-stale = That choice is no longer valid.
answer-not-understood = Sorry, I did not understand that answer.
answer-pick-one = Please pick one of the answers below, or type its number.

## Reports

report-start = All right, let us start a new report.
report-in-progress = Your report is in progress. Answer the question below, or type /batal to cancel it.
report-cancelled = Report cancelled. No ticket was created.
nothing-to-cancel = There is no report in progress.
ack-service = All right, noted: { $service }.
ack-category = All right, a { $category } problem.
attachment-received = I received the attachment.
attachment-saved = The attachment is kept with the report.
location-received = I noted the location.

## Questions

ask-what = { $service ->
    [instalasi-perangkat-lunak] Which software needs to be installed?
    [sertifikat-elektronik] Is this a new installation, a renewal, or a forgotten passphrase?
    [email] Could you describe the email problem? For example a full mailbox, cannot send, or a new account.
    [akses-aplikasi] Which access do you need (a menu or a role)?
   *[other] Could you describe the problem? For example which device or application, and what happens.
}
ask-what-again = Please describe the problem again.
ask-where = { $service ->
    [koneksi-wifi] Where do you want to connect to the WiFi?
    [instalasi-perangkat-lunak] Where is the computer or laptop? (building, floor, room)
   *[other] Where is it? Name the building, floor, room or office.
}
ask-where-app = { $service ->
    [reset-password] Which application's account needs a reset? (for example SIMPEG, email, e-Office)
    [akun-baru] Which application is the account for?
    [akses-aplikasi] In which application is the access needed?
   *[other] Which application has the problem?
}
ask-when = Since when has this been happening?
ask-impact = Who is affected?
ask-who = { $service ->
    [akun-baru] Who is the account for? Give the employee's name and NIP.
   *[other] Who is this request for?
}
ask-urgency = Has your work stopped completely because of this?
ask-how = Anything else we should know?
ask-why = Did an error message appear, or did something happen just before the problem started?
ask-category = What kind of problem is it?
ask-service = Pick what fits best for { $category }:
ask-name = May I have your name?
ask-unit = Which unit or office are you from? (for example: General Affairs, Health Office)
ask-change = Which part do you want to change?

## Choices (buttons)

choice-confirm-yes = Correct
choice-confirm-edit = Change
choice-confirm-cancel = Cancel
choice-urgency-stopped = Yes, stopped completely
choice-urgency-partly = Partly still works
choice-urgency-minor = Still works, just disturbed
choice-impact-me = Only me
choice-impact-some = Several people / one room
choice-impact-unit = One office or more
choice-impact-public = Public service has stopped
choice-when-now = Just now
choice-when-today = Since this morning
choice-when-yesterday = Since yesterday
choice-when-older = Longer
choice-when-unknown = Don't know
choice-skip = Skip
choice-change-what = Problem
choice-change-category = Kind of problem
choice-change-where = Location
choice-change-when = Time
choice-change-who = Who is affected
choice-change-how = Severity
choice-name = { $name }
choice-service-other = Other / don't know

## Summary

summary = Summary of your report:
    { $lines }
    Is this correct?
summary-kind = • Kind: { $type } · { $category } / { $service }
summary-kind-category = • Kind: { $type } · { $category }
summary-what = • Problem: { $value }
summary-where = • Location: { $value }
summary-when = • Time: { $value }
summary-when-at = • Time: { $value } ({ $at })
summary-who = • Affected: { $value }
summary-why = • Cause/message: { $value }
summary-how = • Notes: { $value }
summary-priority = • Urgency { $urgency }, impact { $impact } → Priority { $priority } ({ $level })
summary-reporter = • Reporter: { $name }, { $unit }
summary-attachments = • Attachments: { $value }

## Tickets

ticket-created = Ticket { $number } has been created. Priority { $priority } ({ $level }): a response within { $response }, resolution target { $resolution } ({ $resolution_due }).
    Type /status to follow its progress.
request-created = Request { $number } has been recorded. Priority { $priority } ({ $level }): a response within { $response }, resolution target { $resolution } ({ $resolution_due }).
    Type /status to follow its progress.
status-none = You have no tickets yet. Describe your problem here to report it.
status-list = Your tickets ({ $count }):
    { $lines }
    Type /status NUMBER to see one ticket.
status-line = • { $number } — { $title } — { $status }
status-detail = Ticket { $number }
    • Problem: { $title }
    • Service: { $service }
    • Status: { $status }
    • Priority { $priority } ({ $level })
    • Created: { $created }
    • Resolution target: { $due }
    • Handled by: { $assignee }
status-unassigned = nobody yet
status-not-found = Ticket { $number } is not among your tickets.
status-bad-number = "{ $number }" is not a ticket number. Example: /status INC-2611-0042

## Values

status = { $status ->
    [new] New
    [in_progress] In progress
    [resolved] Resolved, awaiting confirmation
    [closed] Closed
   *[cancelled] Cancelled
}
level = { $level ->
    [tinggi] High
    [menengah] Medium
   *[rendah] Low
}
datetime = { $weekday ->
    [1] Mon
    [2] Tue
    [3] Wed
    [4] Thu
    [5] Fri
    [6] Sat
   *[7] Sun
} { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
} { $time } { $zone }
duration-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
duration-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}

## Terminal (sigap chat)

chat-welcome = Sigap — IT service desk (terminal). Type your problem and press Enter.
    Answer choices with their number. /bantuan for help, Ctrl+D to quit.
chat-choices = Choose: { $choices }
chat-bye = Goodbye.

## Database

db-no-postgres = PostgreSQL was not found on this computer, and no server answers.
    Install it first, for example:
      Debian/Ubuntu:  sudo apt-get install postgresql
      Fedora/RHEL:    sudo dnf install postgresql-server
      macOS:          brew install postgresql
    or point Sigap to an existing server with DATABASE_URL=postgres://user:password@host/sigap
db-private-start = Preparing a private database in { $dir } …

## Level 0: knowledge-base guides

kb-offer = Problems like this can usually be fixed on your own. Try these steps (in Indonesian):

    { $title }
    { $steps }

    Did it work?
kb-offer-gone = Earlier I sent the guide "{ $title }". Did it work?
kb-gone = Did the guide work?
choice-kb-yes = It worked, problem solved
choice-kb-no = Not yet, create a ticket
choice-kb-more = Try another way
kb-resolved = Glad it is solved. No ticket was created. If the problem comes back, just write here.
kb-not-helped = All right, I will continue your report so that staff can handle it.
kb-answer-unclear = Sorry, I did not catch that. Did the steps fix the problem?
summary-kb-tried = • Already tried: { $value }
# Used in articles where an [agency] value is not configured.
kb-agency-helpdesk_phone = the IT helpdesk phone number
kb-agency-helpdesk_whatsapp = the IT helpdesk WhatsApp
kb-agency-helpdesk_email = the IT helpdesk email
kb-agency-portal_url = your office's official portal
kb-agency-password_reset_url = your office's password reset page
kb-agency-service_hours = office hours
kb-agency-wifi_guest_ssid = for guests
kb-agency-it_room = the IT service room

## A pressed button (reporter's message)

# WhatsApp: the button that opens a list of choices (at most 20 characters).
wa-list-button = Choose
pressed-answer = { $text }

    ➜ { $label }

## Ticket card in the technicians' group (war room)

card = { $lines }
card-head = P{ $priority } ({ $level }) · { $number } · { $type }
card-head-p1 = 🔴 P1 — HIGH PRIORITY · { $number } · { $type }
card-service = { $category } / { $service }
card-category = { $category }
card-title = 📝 { $value }
card-reporter = • Reporter: { $name }, { $unit } (via { $channel ->
        [telegram] Telegram
        [whatsapp] WhatsApp
        [terminal] terminal
       *[other] { $channel }
    })
card-due = • Urgency { $urgency }, impact { $impact }
    • Respond by { $response_due } · resolve by { $resolution_due }
card-status = • Status: { $status } · Held by: { $holder }
card-escalated = escalated, waiting for the next level
card-note = • Resolution: { $value }
card-reason = • Cancelled because: { $value }
card-history = History:
    { $steps }
card-step = · { $at } { $kind ->
        [created] created
        [claimed] taken
        [escalated] escalated
        [resolved] resolved
        [cancelled] cancelled
       *[other] { $kind }
    } { $who }
card-claim = ✋ Take
card-escalate = ⬆️ Escalate
card-resolve = ✅ Resolve
card-cancel = ✖️ Cancel
card-return = ↩️ Misrouted
card-up = 🔺 To supervisors
card-team = • Team: { $value }
card-vendor-ref = • Vendor reference: { $value }

## Technicians' actions

desk-not-technician = Sorry, these buttons and commands are for registered technicians only. Ask the helpdesk coordinator if you are one.
desk-stale-button = This button is no longer valid.
desk-moved-on = Ticket { $number } is already { $status }; nothing was changed.
desk-taken = This ticket was already taken by { $name }.
desk-yours-already = You already hold this ticket.
desk-held-by = { $name } holds this ticket; only they can do this.
desk-escalated = { $number } escalated by { $name } to { $team }. Press Take to handle it.
desk-ask-note = { $name }, reply to this message with the resolution note for { $number } (the cause and what was done). Type /batal to stop.
desk-ask-reason = { $name }, reply to this message with the reason for cancelling { $number }. Type /batal to stop.
desk-note-short = That note is too short. Write one sentence, e.g. "LAN cable was loose, plugged back in".
desk-resolved = { $number } marked resolved. The reporter has been told.
desk-cancelled = { $number } cancelled. The reporter has been told.
desk-prompt-dropped = All right, stopped. The ticket is unchanged.
desk-ticket-not-found = Ticket "{ $number }" not found. Example: /tiket INC-2611-0042
desk-queue = Queue, nobody holding ({ $count }):
    { $lines }
desk-queue-empty = The queue is empty: every open ticket is held by someone.
desk-mine = Tickets you hold ({ $count }):
    { $lines }
desk-mine-empty = You hold no tickets.
desk-queue-line = • P{ $priority } { $number } — { $title } — { $status } — due { $due }
desk-help = Technician commands: /antrian (unheld tickets), /milik (yours), /tiket NUMBER (a ticket's card), /prioritas NUMBER 1|2|3 (change the priority).

## News for the reporter

push-claimed = Ticket { $number } is being handled by { $name } ({ $team }).
push-escalated = Ticket { $number } was passed to a specialist team. We will keep you posted.
push-resolved = Ticket { $number } has been resolved.
    Technician's note: { $note }
    Is it working normally again?
push-cancelled = Ticket { $number } was cancelled.
    Reason: { $reason }
    If the problem is still there, tell us again here.

## Telegram command menu

cmd-start = Start and see how to report
cmd-lapor = Report a new IT problem
cmd-status = Your tickets (/status NUMBER for one)
cmd-batal = Cancel the report being filled in
cmd-bantuan = Help
cmd-antrian = Unheld tickets by priority
cmd-milik = Tickets you hold
cmd-tiket = One ticket's card: /tiket NUMBER
cmd-prioritas = Change the priority: /prioritas NUMBER 1|2|3

## SLA: warnings in the war room, replies to the ticket's card
sla-warning = ⏰ { $number } · P{ $priority }: { $percent }% of the { $clock ->
    [response] response
   *[resolution] resolution
  } time is used; due { $due }.
sla-breach = ⛔ { $number } · P{ $priority }: { $clock ->
    [response] response
   *[resolution] resolution
  } target missed (due { $due }). Supervisors have been told.
sla-holder = { $name }, please follow up.
sla-unclaimed = Nobody has taken this ticket yet (team { $team }); please take it now.
sla-p1-reping = 🔴 { $number } HIGH PRIORITY not taken since { $since }. Please take it now: press Ambil on its card.
sla-supervisor = ⛔ The { $clock ->
    [response] response
   *[resolution] resolution
  } target of ticket { $number } was missed (due { $due }). Holder: { $holder }.
sla-nobody = nobody yet

## Closing with the reporter, and the satisfaction survey
followup-fixed = ✅ Yes, it works again
followup-not-fixed = ❌ No, still a problem
closing-closed = Thank you. We have closed ticket { $number }.
closing-reopened = Sorry it is not fixed yet. We have reopened ticket { $number } and told the technician.
closing-reopened-desk = ↩️ The reporter says { $number } is still a problem: the ticket is reopened.
closing-reopened-again = ⚠️ The reporter has said { $times } times that ticket { $number } is still a problem. Please review it.
closing-low-score = ⚠️ The reporter of ticket { $number } rated the service { $score } out of 5. Please follow up.
closing-not-waiting = Ticket { $number } is not waiting for your answer; nothing was changed.
closing-auto = We closed ticket { $number } automatically as there was no answer. If the problem comes back, tell us here.
survey-ask-score = How do you rate the service for ticket { $number }? Tap one score.
survey-scale = { $score ->
    [1] 1 · Very unsatisfactory
    [2] 2 · Unsatisfactory
    [3] 3 · Fair
    [4] 4 · Satisfactory
   *[5] 5 · Very satisfactory
  }
survey-ask-item = { $question } (you may skip)
survey-item = { $item ->
    [channel] Ease of reporting?
    [speed] Speed of handling?
    [quality] Quality of the fix?
    [fit] Fit of the fix to the problem?
    [friendliness] Friendliness of staff?
    [information] Usefulness of the information given?
    [timeliness] Timeliness?
    [overall] Overall service quality?
    [facilities] Facilities?
   *[service_fit] Fit of the service to the request?
  }
survey-skip = Skip
survey-ask-comment = Any suggestion for us? Write it here, or tap Skip.
survey-thanks = Thank you for rating ticket { $number }.
survey-already = Your answer for ticket { $number } is already recorded. Thank you.

## Functional and hierarchical escalation
desk-escalate-to = Escalate { $number } to which team? Or pass it to the supervisors.
desk-returned = { $number } sent back by { $name } to { $team } as misrouted. Press Take to handle it.
desk-ask-vendor-ref = { $name }, reply to this message with the vendor's reference number for { $number }. Type /batal if there is none yet.
desk-vendor-ref-saved = The vendor's reference for { $number } is recorded.
desk-no-supervisors = No supervisors' group is set up (sla.supervisor_chat). Please contact the helpdesk coordinator.
desk-up = 🔺 { $name } passed { $number } to the supervisors.
desk-up-done = { $number } has been passed to the supervisors.
desk-priority-usage = Write: /prioritas NUMBER 1|2|3, e.g. /prioritas INC-2611-0042 2
desk-priority-same = { $number } already has that priority; nothing was changed.
desk-priority-set = { $number } is now P{ $priority }; resolution due { $due }.
sla-digest = ⏰ { $count } SLA notices at once:
