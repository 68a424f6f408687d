"""``parindex send_reminders [--date YYYY-MM-DD] [--dry-run]``: the daily deadline reminders
(the cycles' deadlines and the remediation actions coming due or overdue).

Meant for cron, once a day (see the command's help). Safe to rerun: a reminder goes to a
user at most once per deadline and day, and e-mails that failed are retried by the next
run of the same day.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, DjangoHelpFormatter

from parindex.notifications import services


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keep the description's line breaks, so the crontab line prints as one line."""


class Command(BaseCommand):
    help = """Gửi thông báo nhắc hạn (trong ứng dụng và qua thư điện tử) cho hạn tự đánh giá,
giải trình, thẩm định và công bố kết quả của các kỳ đánh giá chưa công bố xong, và cho các biện
pháp khắc phục của kế hoạch khắc phục đã phê duyệt (gửi công chức phụ trách, hoặc Văn phòng -
Thống kê khi biện pháp chưa giao cho ai).

Nhắc khi còn đúng số ngày trong REMINDER_DAYS (mặc định 7, 3, 1 ngày) và vào chính ngày hết hạn,
tính cả gia hạn của từng đơn vị. Biện pháp khắc phục quá hạn được nhắc vào ngày đầu tiên quá hạn,
sau đó 7 ngày một lần cho đến khi hoàn thành. Chạy lại trong cùng ngày không gửi trùng; thư gửi lỗi
được gửi lại.

Chạy hằng ngày bằng cron (ngày tính theo giờ Việt Nam), ví dụ 7 giờ sáng:
  CRON_TZ=Asia/Ho_Chi_Minh
  0 7 * * * cd /srv/parindex && .venv/bin/parindex send_reminders >> /var/log/parindex/reminders.log 2>&1"""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Nhắc như thể hôm nay là ngày này (mặc định: hôm nay theo giờ Việt Nam).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ báo sẽ gửi những gì; không tạo thông báo, không gửi thư.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Ngày không hợp lệ: {options['date']!r} (cần dạng YYYY-MM-DD).") from None
        run = services.send_reminders(today=today, dry_run=options["dry_run"])
        days = ", ".join(str(d) for d in settings.REMINDER_DAYS)
        head = f"Nhắc hạn ngày {run.day:%d/%m/%Y} (nhắc trước {days} ngày và đúng ngày hết hạn)"
        if run.dry_run:
            self.stdout.write(
                f"{head} – chạy thử, không ghi gì: sẽ tạo {run.created} thông báo, gửi {run.emailed} thư"
                f"{self._without_email(run)}."
            )
        else:
            self.stdout.write(
                f"{head}: đã tạo {run.created} thông báo, gửi {run.emailed} thư{self._without_email(run)}."
            )
        if options["verbosity"] >= 2:
            for title, count in Counter(p.title for p in run.new).items():
                self.stdout.write(f"  {title} → {count} người nhận")
        if run.planned > run.created:
            self.stdout.write(f"{run.planned - run.created} thông báo đã gửi từ lần chạy trước trong ngày, bỏ qua.")
        if run.failed:
            self.stderr.write(f"{run.failed} thư gửi không được (xem nhật ký); lần chạy sau trong ngày sẽ gửi lại.")

    @staticmethod
    def _without_email(run: services.ReminderRun) -> str:
        if not run.without_email:
            return ""
        return f" ({run.without_email} thông báo chỉ trong ứng dụng vì người nhận chưa có địa chỉ thư điện tử)"
