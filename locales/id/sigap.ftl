# Sigap — teks untuk pengguna, Bahasa Indonesia (bahasa bawaan).
# Setiap kalimat yang dilihat pengguna ada di sini; kode hanya memakai ID pesannya.

## Umum

welcome = Halo! Saya Sigap, layanan pengaduan TI.
    Ceritakan masalah Anda dalam satu pesan, misalnya: "wifi di ruang rapat lantai 3 mati sejak jam 9". Saya akan menanyakan yang kurang lalu membuatkan tiket.
help = Cara memakai Sigap:
    • Tulis masalah Anda seperti biasa, misalnya "printer di bagian umum tidak bisa mencetak".
    • /lapor — mulai laporan baru
    • /status — lihat tiket Anda; /status NOMOR untuk satu tiket
    • /batal — batalkan laporan yang sedang dibuat
    • /bantuan — tampilkan petunjuk ini
    • /bahasa en — reply in English
with-ack = { $ack }
    { $question }
greeting = Halo, selamat datang di Sigap. Silakan ceritakan masalah TI yang Anda alami, misalnya: "internet di ruang keuangan lambat sejak pagi".
thanks = Baik, terima kasih. Jika ada masalah lain, silakan tulis di sini.
empty-message = Pesannya kosong. Silakan tuliskan masalah yang Anda alami.
english-message = Mohon maaf, Sigap melayani dalam Bahasa Indonesia. Silakan ceritakan masalah Anda dalam Bahasa Indonesia, misalnya: "laptop saya tidak bisa menyala".
not-understood = Maaf, saya belum memahami pesan tersebut. Ceritakan masalahnya dengan kalimat biasa, misalnya: "printer di ruang TU tidak bisa mencetak".
unsupported-message = Maaf, Sigap hanya bisa membaca teks, foto, dokumen, dan lokasi. Silakan tuliskan masalah Anda.
set-aside-reply = Maaf, pesan Anda tidak dapat kami proses. Silakan kirim ulang dengan kata-kata lain; bila tetap gagal, hubungi helpdesk.
unknown-command = Perintah /{ $command } tidak dikenal. Perintah yang tersedia: /lapor, /status, /batal, /bantuan.
language-set = Baik, Sigap akan memakai Bahasa Indonesia.
language-usage = Ketik /bahasa id untuk Bahasa Indonesia, atau /bahasa en untuk English.
choice-stale = Pilihan itu sudah tidak berlaku.
answer-not-understood = Maaf, jawabannya belum saya pahami.
answer-pick-one = Mohon pilih salah satu jawaban di bawah ini, atau ketik nomornya.

## Laporan

report-start = Baik, kita buat laporan baru.
report-in-progress = Laporan Anda sedang dibuat. Jawab pertanyaan berikut, atau ketik /batal untuk membatalkan.
report-cancelled = Laporan dibatalkan. Tidak ada tiket yang dibuat.
nothing-to-cancel = Tidak ada laporan yang sedang dibuat.
ack-service = Baik, saya catat: { $service }.
ack-category = Baik, masalah { $category }.
attachment-received = Lampiran sudah saya terima.
attachment-saved = Lampiran disimpan bersama laporan.
location-received = Lokasi sudah saya catat.

## Pertanyaan

ask-what = { $service ->
    [instalasi-perangkat-lunak] Perangkat lunak apa yang perlu dipasang?
    [sertifikat-elektronik] Apakah ini pemasangan baru, perpanjangan, atau lupa passphrase?
    [email] Boleh dijelaskan masalah emailnya? Misalnya kotak masuk penuh, tidak bisa mengirim, atau minta akun baru.
    [akses-aplikasi] Akses apa yang dibutuhkan (menu atau peran tertentu)?
   *[other] Boleh diceritakan masalahnya? Misalnya perangkat atau aplikasi apa, dan apa yang terjadi.
}
ask-what-again = Silakan tuliskan ulang masalahnya.
ask-where = { $service ->
    [koneksi-wifi] Di lokasi mana Anda ingin tersambung ke WiFi?
    [instalasi-perangkat-lunak] Di mana komputer/laptopnya? (gedung, lantai, ruang)
   *[other] Di mana lokasinya? Sebutkan gedung, lantai, ruang, atau kantornya.
}
ask-where-app = { $service ->
    [reset-password] Akun aplikasi apa yang perlu direset? (misalnya SIMPEG, email, e-Office)
    [akun-baru] Akunnya untuk aplikasi apa?
    [akses-aplikasi] Di aplikasi apa aksesnya dibutuhkan?
   *[other] Aplikasi apa yang bermasalah?
}
ask-when = Sejak kapan masalah ini terjadi?
ask-impact = Siapa saja yang terdampak?
ask-who = { $service ->
    [akun-baru] Untuk siapa akunnya? Tuliskan nama dan NIP pegawainya.
   *[other] Untuk siapa permintaan ini?
}
ask-urgency = Apakah pekerjaan Anda terhenti sama sekali karena masalah ini?
ask-how = Ada keterangan lain yang perlu kami ketahui?
ask-why = Apakah muncul pesan error, atau ada kejadian sebelum masalah ini muncul?
ask-category = Masalahnya termasuk jenis apa?
ask-service = Pilih yang paling sesuai untuk { $category }:
ask-name = Boleh tahu nama Anda?
ask-unit = Dari unit kerja atau bagian mana Anda? (misalnya: Bagian Umum, Dinas Kesehatan)
ask-change = Bagian mana yang ingin diubah?

## Pilihan (tombol)

choice-confirm-yes = Benar
choice-confirm-edit = Ubah
choice-confirm-cancel = Batal
choice-urgency-stopped = Ya, terhenti total
choice-urgency-partly = Sebagian masih bisa
choice-urgency-minor = Masih bisa, hanya terganggu
choice-impact-me = Hanya saya
choice-impact-some = Beberapa orang / satu ruangan
choice-impact-unit = Satu kantor atau lebih
choice-impact-public = Pelayanan ke masyarakat terhenti
choice-when-now = Baru saja
choice-when-today = Sejak pagi ini
choice-when-yesterday = Sejak kemarin
choice-when-older = Lebih lama
choice-when-unknown = Tidak tahu
choice-skip = Lewati
choice-change-what = Masalah
choice-change-category = Jenis masalah
choice-change-where = Lokasi
choice-change-when = Waktu
choice-change-who = Yang terdampak
choice-change-how = Tingkat gangguan
choice-name = { $name }
choice-service-other = Lainnya / tidak tahu

## Ringkasan

summary = Ringkasan laporan Anda:
    { $lines }
    Benar?
summary-kind = • Jenis: { $type } · { $category } / { $service }
summary-kind-category = • Jenis: { $type } · { $category }
summary-what = • Masalah: { $value }
summary-where = • Lokasi: { $value }
summary-when = • Waktu: { $value }
summary-when-at = • Waktu: { $value } ({ $at })
summary-who = • Terdampak: { $value }
summary-why = • Penyebab/pesan: { $value }
summary-how = • Keterangan: { $value }
summary-priority = • Urgensi { $urgency }, dampak { $impact } → Prioritas { $priority } ({ $level })
summary-reporter = • Pelapor: { $name }, { $unit }
summary-attachments = • Lampiran: { $value }

## Tiket

ticket-created = Tiket { $number } sudah dibuat. Prioritas { $priority } ({ $level }): ditanggapi paling lambat { $response }, target selesai { $resolution } ({ $resolution_due }).
    Ketik /status untuk melihat perkembangannya.
request-created = Permintaan { $number } sudah dicatat. Prioritas { $priority } ({ $level }): ditanggapi paling lambat { $response }, target selesai { $resolution } ({ $resolution_due }).
    Ketik /status untuk melihat perkembangannya.
status-none = Anda belum punya tiket. Ceritakan masalah Anda di sini untuk membuat laporan.
status-list = Tiket Anda ({ $count }):
    { $lines }
    Ketik /status NOMOR untuk melihat satu tiket.
status-line = • { $number } — { $title } — { $status }
status-detail = Tiket { $number }
    • Masalah: { $title }
    • Layanan: { $service }
    • Status: { $status }
    • Prioritas { $priority } ({ $level })
    • Dibuat: { $created }
    • Target selesai: { $due }
    • Ditangani oleh: { $assignee }
status-unassigned = belum ada
status-not-found = Tiket { $number } tidak ditemukan di antara tiket Anda.
status-bad-number = "{ $number }" bukan nomor tiket. Contoh: /status INC-2611-0042

## Nilai

status = { $status ->
    [new] Baru
    [in_progress] Dalam Penanganan
    [resolved] Selesai ditangani, menunggu konfirmasi
    [closed] Ditutup
   *[cancelled] Dibatalkan
}
level = { $level ->
    [tinggi] Tinggi
    [menengah] Menengah
   *[rendah] Rendah
}
datetime = { $weekday ->
    [1] Senin
    [2] Selasa
    [3] Rabu
    [4] Kamis
    [5] Jumat
    [6] Sabtu
   *[7] Minggu
} { $day } { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] Mei
    [6] Jun
    [7] Jul
    [8] Agu
    [9] Sep
    [10] Okt
    [11] Nov
   *[12] Des
} { $time } { $zone }
duration-minutes = { $n } menit
duration-hours = { $n } jam
duration-days = { $n } hari

## Terminal (sigap chat)

chat-welcome = Sigap — layanan pengaduan TI (terminal). Tulis masalah Anda lalu tekan Enter.
    Balas pilihan dengan nomornya. /bantuan untuk petunjuk, Ctrl+D untuk keluar.
chat-choices = Pilih: { $choices }
chat-bye = Sampai jumpa.

## Basis data

db-no-postgres = PostgreSQL tidak ditemukan di komputer ini, dan tidak ada server yang bisa dihubungi.
    Pasang dulu, misalnya:
      Debian/Ubuntu:  sudo apt-get install postgresql
      Fedora/RHEL:    sudo dnf install postgresql-server
      macOS:          brew install postgresql
    atau arahkan Sigap ke server yang ada dengan DATABASE_URL=postgres://user:sandi@host/sigap
db-private-start = Menyiapkan basis data pribadi di { $dir } …

## Level 0: panduan dari basis pengetahuan

kb-offer = Masalah seperti ini biasanya bisa Anda atasi sendiri. Coba langkah berikut:

    { $title }
    { $steps }

    Apakah berhasil?
kb-offer-gone = Tadi saya kirim panduan "{ $title }". Apakah berhasil?
kb-gone = Apakah panduan tadi berhasil?
choice-kb-yes = Berhasil, masalah selesai
choice-kb-no = Belum, buat tiket
choice-kb-more = Coba cara lain
kb-resolved = Syukurlah, masalahnya sudah selesai. Tidak ada tiket yang dibuat. Jika masalah muncul lagi, tulis saja di sini.
kb-not-helped = Baik, saya lanjutkan laporan Anda supaya ditangani petugas.
kb-answer-unclear = Maaf, saya belum menangkap jawabannya. Apakah langkah tadi menyelesaikan masalah?
summary-kb-tried = • Sudah dicoba: { $value }
# Dipakai di artikel bila nilai [agency] belum diatur.
kb-agency-helpdesk_phone = nomor telepon helpdesk TI
kb-agency-helpdesk_whatsapp = WhatsApp helpdesk TI
kb-agency-helpdesk_email = email helpdesk TI
kb-agency-portal_url = portal resmi kantor Anda
kb-agency-password_reset_url = halaman reset kata sandi kantor Anda
kb-agency-service_hours = jam kerja
kb-agency-wifi_guest_ssid = khusus tamu
kb-agency-it_room = ruang layanan TI

## Tombol yang sudah ditekan (pesan pelapor)

# WhatsApp: the button that opens a list of choices (at most 20 characters).
wa-list-button = Pilih
pressed-answer = { $text }

    ➜ { $label }

## Kartu tiket di grup teknisi (war room)

card = { $lines }
card-head = P{ $priority } ({ $level }) · { $number } · { $type }
card-head-p1 = 🔴 P1 — PRIORITAS TINGGI · { $number } · { $type }
card-service = { $category } / { $service }
card-category = { $category }
card-title = 📝 { $value }
card-reporter = • Pelapor: { $name }, { $unit } (via { $channel ->
        [telegram] Telegram
        [whatsapp] WhatsApp
        [terminal] terminal
       *[other] { $channel }
    })
card-due = • Urgensi { $urgency }, dampak { $impact }
    • Tanggapi sebelum { $response_due } · selesai sebelum { $resolution_due }
card-status = • Status: { $status } · Pemegang: { $holder }
card-escalated = dieskalasi, menunggu tim lanjutan
card-note = • Penyelesaian: { $value }
card-reason = • Alasan batal: { $value }
card-history = Riwayat:
    { $steps }
card-step = · { $at } { $kind ->
        [created] dibuat
        [claimed] diambil
        [escalated] dieskalasi
        [resolved] diselesaikan
        [cancelled] dibatalkan
       *[other] { $kind }
    } { $who }
card-claim = ✋ Ambil
card-escalate = ⬆️ Eskalasi
card-resolve = ✅ Selesai
card-cancel = ✖️ Batalkan
card-return = ↩️ Salah arah
card-up = 🔺 Ke atasan
card-team = • Tim: { $value }
card-vendor-ref = • Nomor referensi vendor: { $value }

## Tindakan teknisi

desk-not-technician = Maaf, tombol dan perintah ini hanya untuk teknisi yang terdaftar. Hubungi koordinator helpdesk bila Anda teknisi.
desk-stale-button = Tombol ini sudah tidak berlaku.
desk-moved-on = Tiket { $number } sudah berstatus { $status }; tidak ada yang diubah.
desk-taken = Tiket ini sudah diambil oleh { $name }.
desk-yours-already = Tiket ini sudah Anda pegang.
desk-held-by = Tiket ini dipegang oleh { $name }; hanya pemegangnya yang bisa melakukan ini.
desk-escalated = { $number } dieskalasi oleh { $name } ke { $team }. Tekan Ambil untuk menanganinya.
desk-ask-note = { $name }, tulis catatan penyelesaian { $number } (apa penyebabnya dan apa yang dilakukan) sebagai balasan pesan ini. Ketik /batal untuk tidak jadi.
desk-ask-reason = { $name }, tulis alasan membatalkan { $number } sebagai balasan pesan ini. Ketik /batal untuk tidak jadi.
desk-note-short = Catatannya terlalu pendek. Tulis satu kalimat, misalnya "kabel LAN longgar, sudah dipasang ulang".
desk-resolved = { $number } ditandai selesai. Pelapor sudah diberi tahu.
desk-cancelled = { $number } dibatalkan. Pelapor sudah diberi tahu.
desk-prompt-dropped = Baik, tidak jadi. Tiketnya tidak berubah.
desk-ticket-not-found = Tiket "{ $number }" tidak ditemukan. Contoh: /tiket INC-2611-0042
desk-queue = Antrian, belum ada pemegang ({ $count }):
    { $lines }
desk-queue-empty = Antrian kosong: semua tiket terbuka sudah ada pemegangnya.
desk-mine = Tiket yang Anda pegang ({ $count }):
    { $lines }
desk-mine-empty = Anda tidak sedang memegang tiket.
desk-queue-line = • P{ $priority } { $number } — { $title } — { $status } — target { $due }
desk-help = Perintah teknisi: /antrian (tiket tanpa pemegang), /milik (tiket Anda), /tiket NOMOR (kartu tiket), /prioritas NOMOR 1|2|3 (ubah prioritas).

## Kabar untuk pelapor

push-claimed = Tiket { $number } sedang ditangani oleh { $name } ({ $team }).
push-escalated = Tiket { $number } diteruskan ke tim lanjutan agar ditangani lebih tepat. Kami kabari lagi.
push-resolved = Tiket { $number } sudah diselesaikan.
    Catatan teknisi: { $note }
    Apakah sudah normal kembali?
push-cancelled = Tiket { $number } dibatalkan.
    Alasan: { $reason }
    Bila masalahnya masih ada, ceritakan lagi di sini.

## Menu perintah Telegram

cmd-start = Mulai dan lihat cara melapor
cmd-lapor = Laporkan masalah TI baru
cmd-status = Lihat tiket Anda (/status NOMOR untuk satu tiket)
cmd-batal = Batalkan laporan yang sedang diisi
cmd-bantuan = Bantuan
cmd-antrian = Tiket tanpa pemegang, menurut prioritas
cmd-milik = Tiket yang Anda pegang
cmd-tiket = Kartu satu tiket: /tiket NOMOR
cmd-prioritas = Ubah prioritas: /prioritas NOMOR 1|2|3

## SLA: warnings in the war room, replies to the ticket's card
sla-warning = ⏰ { $number } · P{ $priority }: { $percent }% waktu { $clock ->
    [response] tanggapan
   *[resolution] penyelesaian
  } sudah terpakai; batasnya { $due }.
sla-breach = ⛔ { $number } · P{ $priority }: target { $clock ->
    [response] tanggapan
   *[resolution] penyelesaian
  } terlewati (batasnya { $due }). Atasan sudah diberi tahu.
sla-holder = { $name }, mohon ditindaklanjuti.
sla-unclaimed = Belum ada yang mengambil tiket ini (tim { $team }); mohon segera diambil.
sla-p1-reping = 🔴 { $number } PRIORITAS TINGGI belum diambil sejak { $since }. Mohon segera diambil: tekan Ambil di kartunya.
sla-supervisor = ⛔ Target { $clock ->
    [response] tanggapan
   *[resolution] penyelesaian
  } tiket { $number } terlewati (batasnya { $due }). Pemegang: { $holder }.
sla-nobody = belum ada

## Menutup bersama pelapor, dan survei kepuasan
followup-fixed = ✅ Ya, sudah normal
followup-not-fixed = ❌ Belum, masih bermasalah
closing-closed = Terima kasih. Tiket { $number } kami tutup.
closing-reopened = Maaf, masalahnya belum beres. Tiket { $number } kami buka lagi dan teknisinya sudah diberi tahu.
closing-reopened-desk = ↩️ Pelapor menyatakan { $number } masih bermasalah: tiket dibuka lagi.
closing-reopened-again = ⚠️ Tiket { $number } sudah { $times } kali dinyatakan masih bermasalah oleh pelapor. Mohon ditinjau.
closing-low-score = ⚠️ Pelapor tiket { $number } memberi nilai { $score } dari 5. Mohon ditindaklanjuti.
closing-not-waiting = Tiket { $number } tidak sedang menunggu jawaban Anda; tidak ada yang diubah.
closing-auto = Tiket { $number } kami tutup otomatis karena belum ada jawaban. Bila masalahnya muncul lagi, ceritakan di sini.
survey-ask-score = Bagaimana penilaian Anda atas layanan untuk tiket { $number }? Sentuh satu nilai.
survey-scale = { $score ->
    [1] 1 · Tidak Memuaskan
    [2] 2 · Kurang Memuaskan
    [3] 3 · Cukup Memuaskan
    [4] 4 · Memuaskan
   *[5] 5 · Sangat Memuaskan
  }
survey-ask-item = { $question } (boleh dilewati)
survey-item = { $item ->
    [channel] Kemudahan menyampaikan laporan?
    [speed] Kecepatan penanganan?
    [quality] Kualitas penyelesaian masalah?
    [fit] Kesesuaian penyelesaian dengan masalah?
    [friendliness] Keramahan petugas?
    [information] Kegunaan informasi yang diberikan?
    [timeliness] Ketepatan waktu?
    [overall] Kualitas layanan secara keseluruhan?
    [facilities] Sarana dan prasarana?
   *[service_fit] Kesesuaian layanan dengan permintaan?
  }
survey-skip = Lewati
survey-ask-comment = Ada saran untuk kami? Tulis di sini, atau sentuh Lewati.
survey-thanks = Terima kasih atas penilaian Anda untuk tiket { $number }.
survey-already = Jawaban untuk tiket { $number } sudah tercatat. Terima kasih.

## Eskalasi fungsional dan hierarkis
desk-escalate-to = Eskalasi { $number } ke tim mana? Atau teruskan ke atasan.
desk-returned = { $number } dikembalikan oleh { $name } ke { $team } karena salah arah. Tekan Ambil untuk menanganinya.
desk-ask-vendor-ref = { $name }, tulis nomor referensi dari vendor untuk { $number } sebagai balasan pesan ini. Ketik /batal bila belum ada.
desk-vendor-ref-saved = Nomor referensi vendor untuk { $number } sudah dicatat.
desk-no-supervisors = Belum ada grup atasan yang diatur (sla.supervisor_chat). Hubungi koordinator helpdesk.
desk-up = 🔺 { $name } meneruskan { $number } ke atasan.
desk-up-done = { $number } sudah diteruskan ke atasan.
desk-priority-usage = Tulis: /prioritas NOMOR 1|2|3, misalnya /prioritas INC-2611-0042 2
desk-priority-same = { $number } sudah berprioritas itu; tidak ada yang diubah.
desk-priority-set = Prioritas { $number } kini P{ $priority }; target penyelesaian { $due }.
sla-digest = ⏰ { $count } kabar SLA sekaligus:
