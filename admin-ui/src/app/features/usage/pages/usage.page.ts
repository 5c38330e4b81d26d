import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({ selector: 'app-usage-page', template: '<p>TODO</p>', changeDetection: ChangeDetectionStrategy.OnPush })
export default class Page {}
