import { inject, provideAppInitializer } from '@angular/core';
import { MatIconRegistry } from '@angular/material/icon';
import { DomSanitizer } from '@angular/platform-browser';
// Material icons bundled as SVG text (angular.json loader '.svg': 'text'): no icon font from the network.
import event from '@material-design-icons/svg/outlined/event.svg';
import dns from '@material-design-icons/svg/outlined/dns.svg';
import logout from '@material-design-icons/svg/outlined/logout.svg';
import add from '@material-design-icons/svg/outlined/add.svg';
import edit from '@material-design-icons/svg/outlined/edit.svg';
import contentCopy from '@material-design-icons/svg/outlined/content_copy.svg';
import refresh from '@material-design-icons/svg/outlined/refresh.svg';
import deleteIcon from '@material-design-icons/svg/outlined/delete.svg';
import linkOff from '@material-design-icons/svg/outlined/link_off.svg';
import link from '@material-design-icons/svg/outlined/link.svg';
import key from '@material-design-icons/svg/outlined/key.svg';
import block from '@material-design-icons/svg/outlined/block.svg';
import checkCircle from '@material-design-icons/svg/outlined/check_circle.svg';
import autorenew from '@material-design-icons/svg/outlined/autorenew.svg';
import download from '@material-design-icons/svg/outlined/download.svg';
import search from '@material-design-icons/svg/outlined/search.svg';
import send from '@material-design-icons/svg/outlined/send.svg';
import stop from '@material-design-icons/svg/outlined/stop.svg';
import chat from '@material-design-icons/svg/outlined/chat.svg';
import image from '@material-design-icons/svg/outlined/image.svg';
import tune from '@material-design-icons/svg/outlined/tune.svg';
import deleteSweep from '@material-design-icons/svg/outlined/delete_sweep.svg';
import menu from '@material-design-icons/svg/outlined/menu.svg';
import qrCode from '@material-design-icons/svg/outlined/qr_code.svg';
import barChart from '@material-design-icons/svg/outlined/bar_chart.svg';
import groups from '@material-design-icons/svg/outlined/groups.svg';
import calculate from '@material-design-icons/svg/outlined/calculate.svg';
import arrowBack from '@material-design-icons/svg/outlined/arrow_back.svg';
import openInNew from '@material-design-icons/svg/outlined/open_in_new.svg';
import schedule from '@material-design-icons/svg/outlined/schedule.svg';
import warning from '@material-design-icons/svg/outlined/warning.svg';
import error from '@material-design-icons/svg/outlined/error.svg';
import check from '@material-design-icons/svg/outlined/check.svg';
import acUnit from '@material-design-icons/svg/outlined/ac_unit.svg';
import playCircle from '@material-design-icons/svg/outlined/play_circle.svg';
import science from '@material-design-icons/svg/outlined/science.svg';

const ICONS: Record<string, string> = {
  event: event,
  dns: dns,
  logout: logout,
  add: add,
  edit: edit,
  content_copy: contentCopy,
  refresh: refresh,
  delete: deleteIcon,
  link_off: linkOff,
  link: link,
  key: key,
  block: block,
  check_circle: checkCircle,
  autorenew: autorenew,
  download: download,
  search: search,
  send: send,
  stop: stop,
  chat: chat,
  image: image,
  tune: tune,
  delete_sweep: deleteSweep,
  menu: menu,
  qr_code: qrCode,
  bar_chart: barChart,
  groups: groups,
  calculate: calculate,
  arrow_back: arrowBack,
  open_in_new: openInNew,
  schedule: schedule,
  warning: warning,
  error: error,
  check: check,
  ac_unit: acUnit,
  play_circle: playCircle,
  science: science,
};

export function provideIcons() {
  return provideAppInitializer(() => {
    const registry = inject(MatIconRegistry);
    const sanitizer = inject(DomSanitizer);
    for (const [name, svg] of Object.entries(ICONS)) registry.addSvgIconLiteral(name, sanitizer.bypassSecurityTrustHtml(svg));
  });
}
